// Intentionally empty: the target only exports CLibFuzzer.h (SwiftPM needs one source file).
#include "CLibFuzzer.h"
