// The whole C surface this project uses: libyaml's event parser.
#ifndef DATA_ACTION_CYAML_SHIM_H
#define DATA_ACTION_CYAML_SHIM_H
#include <yaml.h>
#endif
