// The C ABI over OpenCV (Sources/CVision/include), served lazily: the first call loads
// libGateWatchVision.so (which links OpenCV), so commands that never touch a picture never
// load OpenCV's libraries. Swift imports this module instead of CVision.
#ifndef GATEWATCH_CVISION_LOADER_H
#define GATEWATCH_CVISION_LOADER_H
#include "../../CVision/include/CVision.h"

#ifdef __cplusplus
extern "C" {
#endif

/// The address of `name` in the vision library, loading the library first. When it cannot be
/// loaded, prints one line (what, where it looked, what to do) and exits with status 70.
void *gw_vision_symbol(const char *name);

/// Loads the vision library now. Returns 1, or 0 with one line in `err` (no exit).
int gw_vision_load(char *err, int errlen);

/// The library's path once loaded ("" before).
const char *gw_vision_library_path(void);

#ifdef __cplusplus
}
#endif
#endif
