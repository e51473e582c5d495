#ifndef GATEWATCH_CVISION_CORE_H
#define GATEWATCH_CVISION_CORE_H
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

/// Version of the OpenCV library linked, e.g. "4.6.0".
const char *gw_opencv_version(void);

/// A decoded picture: 8-bit BGR, owned by the caller, freed with gw_frame_free.
typedef struct gw_frame gw_frame;
gw_frame *gw_frame_new(int width, int height);
gw_frame *gw_frame_clone(const gw_frame *frame);
void gw_frame_free(gw_frame *frame);
int gw_frame_width(const gw_frame *frame);
int gw_frame_height(const gw_frame *frame);
/// Row-major BGR bytes, `gw_frame_step` bytes a row.
uint8_t *gw_frame_data(gw_frame *frame);
int gw_frame_step(const gw_frame *frame);

#ifdef __cplusplus
}
#endif
#endif
