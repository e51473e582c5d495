// Loads libGateWatchVision.so (the C ABI over OpenCV) on first use. Looked for, in order:
// $GATEWATCH_VISION_LIB, beside the running binary (a build folder, or an install in one
// folder), ../lib/gatewatch/ from the binary (a /usr/local install), then the system's
// library path.
#define _GNU_SOURCE
#include "CVisionLoader.h"
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LIBRARY_NAME "libGateWatchVision.so"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static void *handle;
static char loaded_path[PATH_MAX];
static char failure[2048];

static void append_tried(const char *path, const char *why) {
    size_t used = strlen(failure);
    if (used < sizeof failure - 1)
        snprintf(failure + used, sizeof failure - used, "%s%s (%s)", used ? "; " : "", path, why);
}

static int try_open(const char *path) {
    // RTLD_GLOBAL: OpenCV's own libraries (e.g. libavutil's log hook) are found by dlsym(RTLD_DEFAULT).
    void *h = dlopen(path, RTLD_NOW | RTLD_GLOBAL);
    if (!h) {
        const char *e = dlerror();
        append_tried(path, e && strstr(e, "No such file") ? "not there" : (e ? e : "cannot load"));
        return 0;
    }
    handle = h;
    snprintf(loaded_path, sizeof loaded_path, "%s", path);
    return 1;
}

static void load_once(void) {
    const char *env = getenv("GATEWATCH_VISION_LIB");
    if (env && *env && try_open(env)) return;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = 0;
            char path[PATH_MAX + 64];
            snprintf(path, sizeof path, "%s/%s", exe, LIBRARY_NAME);
            if (try_open(path)) return;
            snprintf(path, sizeof path, "%s/../lib/gatewatch/%s", exe, LIBRARY_NAME);
            if (try_open(path)) return;
        }
    }
    try_open(LIBRARY_NAME);
}

int gw_vision_load(char *err, int errlen) {
    pthread_once(&once, load_once);
    if (handle) return 1;
    if (err && errlen > 0)
        snprintf(err, (size_t)errlen, "cannot load the vision library %s (tried: %s); install it beside the gatewatch "
                 "binary or in ../lib/gatewatch/, or set GATEWATCH_VISION_LIB to its path", LIBRARY_NAME, failure);
    return 0;
}

void *gw_vision_symbol(const char *name) {
    char err[2400];
    if (!gw_vision_load(err, sizeof err)) {
        fprintf(stderr, "gatewatch: %s\n", err);
        exit(70);
    }
    void *f = dlsym(handle, name);
    if (!f) {
        fprintf(stderr, "gatewatch: the vision library %s has no %s: it is from another GateWatch version; "
                "reinstall it with this gatewatch binary\n", loaded_path, name);
        exit(70);
    }
    return f;
}

const char *gw_vision_library_path(void) { return handle ? loaded_path : ""; }
