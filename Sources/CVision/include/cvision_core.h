#ifndef GATEWATCH_CVISION_CORE_H
#define GATEWATCH_CVISION_CORE_H
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

// Conventions: functions that can fail take `char *err, int errlen` and write one
// line there (what failed and why); no C++ exception ever crosses this ABI.

/// Version of the OpenCV library linked, e.g. "4.6.0".
const char *gw_opencv_version(void);
/// Threads OpenCV may use for its own parallel loops (0 = OpenCV's default).
void gw_set_num_threads(int n);
int gw_get_num_threads(void);

// ---------------------------------------------------------------- frames
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
/// A new frame scaled to width x height (area interpolation when shrinking).
gw_frame *gw_frame_resize(const gw_frame *frame, int width, int height);
/// A new frame holding the pixels of the rectangle (x, y, w, h) cut to the picture; NULL
/// when nothing of it is inside (detection regions: the detector sees the gate at full size).
gw_frame *gw_frame_crop(const gw_frame *frame, int x, int y, int w, int h);
/// A new frame with the picture moved by (dx, dy) pixels, edges replicated; simulates a
/// camera that was knocked (synthetic tamper scenes, tests).
gw_frame *gw_frame_translate(const gw_frame *frame, int dx, int dy);
/// Fills a rectangle (pixels) with a BGR colour; for tests and tamper scenes.
void gw_frame_fill_rect(gw_frame *frame, int x, int y, int w, int h, int b, int g, int r);
/// Reads an image file (PNG, JPEG...) into a new frame; NULL and a message on failure.
gw_frame *gw_image_read(const char *path, char *err, int errlen);
// ---------------------------------------------------------------- capture
typedef enum { GW_SOURCE_FILE = 0, GW_SOURCE_STREAM = 1, GW_SOURCE_DEVICE = 2 } gw_source_kind;
typedef struct gw_capture gw_capture;
/// Opens a file path, a network URL (FFmpeg backend, bounded open/read timeouts in ms)
/// or a V4L2 device path (/dev/videoN). NULL and a message on failure.
gw_capture *gw_capture_open(const char *uri, int kind, int open_timeout_ms, int read_timeout_ms,
                            char *err, int errlen);
/// Reads the next frame into *out (a new frame). Returns 1 on a frame, 0 at the end
/// of the source (or a read failure on a live source), -1 on an error with a message.
int gw_capture_read(gw_capture *cap, gw_frame **out, char *err, int errlen);
/// Frames per second the container or camera declares; 0 when unknown.
double gw_capture_fps(gw_capture *cap);
/// Frame count of a file; -1 when unknown (streams, devices).
int64_t gw_capture_frame_count(gw_capture *cap);
int gw_capture_width(gw_capture *cap);
/// The codec's four-character code as the container or stream declares it ("H264", "XVID"),
/// written to out (NUL-terminated); returns 0 when it says none.
int gw_capture_codec(gw_capture *cap, char *out, int outlen);
int gw_capture_height(gw_capture *cap);
/// Seeks a file back to its first frame; 0 on success, -1 when the source cannot seek.
int gw_capture_rewind(gw_capture *cap);
void gw_capture_free(gw_capture *cap);

// ---------------------------------------------------------------- motion gate
/// Cheap motion measure: the share (0..1) of pixels of a small blurred grey image
/// that changed by more than `pixel_threshold` grey levels since the previous frame.
typedef struct gw_motion gw_motion;
gw_motion *gw_motion_new(int small_width, int pixel_threshold);
/// The first frame after creation or reset returns 1 (everything is new).
double gw_motion_measure(gw_motion *m, const gw_frame *frame);
void gw_motion_reset(gw_motion *m);
void gw_motion_free(gw_motion *m);

// ---------------------------------------------------------------- frame statistics
typedef struct {
    double brightness;      // mean grey 0..255
    double contrast;        // grey standard deviation
    double sharpness;       // Laplacian variance on a 320-wide grey image
    double change;          // mean absolute grey difference to the previous measured frame
    double reference_similarity; // 0..1 edge-map correlation with the reference view
    int has_reference;      // 0 when no reference is stored (similarity meaningless)
} gw_stats;
typedef struct gw_stats_state gw_stats_state;
gw_stats_state *gw_stats_new(void);
/// Measures a frame; `change` is 0 for the first frame.
void gw_stats_measure(gw_stats_state *s, const gw_frame *frame, gw_stats *out);
/// Stores this frame as the reference view (for 'camera moved' detection).
void gw_stats_set_reference(gw_stats_state *s, const gw_frame *frame);
void gw_stats_clear_reference(gw_stats_state *s);
void gw_stats_free(gw_stats_state *s);

#ifdef __cplusplus
}
#endif
#endif
