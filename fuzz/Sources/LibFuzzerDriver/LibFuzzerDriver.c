// The declaration in include/LibFuzzerDriver.h is the whole module; libFuzzer defines the
// function (linked by -sanitize=fuzzer).
#include "LibFuzzerDriver.h"
