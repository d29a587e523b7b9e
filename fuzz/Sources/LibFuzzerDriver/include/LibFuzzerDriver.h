// libFuzzer's driver, for fuzzing executables that bring their own main.
//
// SwiftPM links a Linux executable with its module's entry point as `main`, so libFuzzer's own
// main is never used; each target's main calls this instead, with a callback that tests one
// input (libFuzzer's LLVMFuzzerTestOneInput). See https://llvm.org/docs/LibFuzzer.html.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*test_one_input)(const uint8_t *data, size_t size));
