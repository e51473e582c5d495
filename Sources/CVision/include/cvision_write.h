#ifndef GATEWATCH_CVISION_WRITE_H
#define GATEWATCH_CVISION_WRITE_H
// Writing pictures and clips: image files, JPEG in memory, MJPG .avi. Production
// (snapshots, tests) and the synthetic toolkit (gatewatch synth) use the same ones.
#include <stddef.h>
#include <stdint.h>
#include "cvision_core.h"
#ifdef __cplusplus
extern "C" {
#endif

// ---------------------------------------------------------------- images
/// Writes an image file, its format from the extension (.png, .jpg). Returns 0 on
/// success, -1 with a message.
int gw_image_write(const gw_frame *frame, const char *path, char *err, int errlen);
/// JPEG-encodes the frame; *out is malloc'd (free with gw_buffer_free). Returns 0 / -1.
int gw_jpeg_encode(const gw_frame *frame, int quality, uint8_t **out, size_t *outlen,
                   char *err, int errlen);
/// PNG-encodes the frame (lossless; evidence pictures); *out is malloc'd (free with
/// gw_buffer_free). Returns 0 / -1.
int gw_png_encode(const gw_frame *frame, uint8_t **out, size_t *outlen, char *err, int errlen);
void gw_buffer_free(uint8_t *buffer);

// ---------------------------------------------------------------- video writer
typedef struct gw_writer gw_writer;
/// Opens an MJPG .avi writer (OpenCV's own MJPEG encoder: the same bytes whatever FFmpeg
/// is installed). NULL and a message on failure.
gw_writer *gw_writer_open(const char *path, double fps, int width, int height,
                          char *err, int errlen);
/// Writes one frame (resized when its size differs). Returns 0 / -1.
int gw_writer_write(gw_writer *w, const gw_frame *frame, char *err, int errlen);
void gw_writer_close(gw_writer *w);

#ifdef __cplusplus
}
#endif
#endif
