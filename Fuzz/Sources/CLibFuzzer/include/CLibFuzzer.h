// libFuzzer's library entry point (compiler-rt FuzzerInterface.h, "Using libFuzzer as a library").
//
// SwiftPM renames every executable's entry point to `<Module>_main` and links it as `main`, so
// libFuzzer's own `main` is never used; each fuzz target's main.swift calls this instead.
#ifndef VERITAS_CLIBFUZZER_H
#define VERITAS_CLIBFUZZER_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
