// The whole C surface this project uses: libyaml's parser and document loader.
#ifndef DATA_ACTION_CYAML_SHIM_H
#define DATA_ACTION_CYAML_SHIM_H
#include <yaml.h>
#endif
