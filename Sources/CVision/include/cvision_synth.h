#ifndef GATEWATCH_CVISION_SYNTH_H
#define GATEWATCH_CVISION_SYNTH_H
// Synthetic scenes: a bank of real people cut out of footage and a renderer that
// composites them (or top-down blobs) over a background, with tamper effects. Clips
// are written and scenes checked with the production writer and detectors
// (cvision_write.h, cvision_detect.h).
#include <stdint.h>
#include "cvision_core.h"
#ifdef __cplusplus
extern "C" {
#endif

/// People cut out of a real clip against its median background, kept as short
/// walking sequences (crop + alpha). Built once, then cached on disk.
typedef struct gw_sprite_bank gw_sprite_bank;

/// How far a long job is, 0…1, with the caller's context.
typedef void (*gw_progress_fn)(void *context, double fraction);

/// Loads the bank from `cache_dir` or builds it from `video_path` (SSDLite from
/// `model_pb`/`model_pbtxt` confirms each cut-out when both files exist; pass NULL to skip)
/// and saves it there. `progress` (may be NULL) is called while building, never when the
/// cache is used. NULL on failure with a one-line message in `err`.
gw_sprite_bank *gw_sprite_bank_load(const char *video_path, const char *cache_dir,
                                    const char *model_pb, const char *model_pbtxt,
                                    gw_progress_fn progress, void *progress_context,
                                    char *err, int err_len);
void gw_sprite_bank_free(gw_sprite_bank *bank);
/// Milliseconds spent building (0 when loaded from the cache).
double gw_sprite_bank_build_ms(const gw_sprite_bank *bank);
int gw_sprite_bank_sequences(const gw_sprite_bank *bank);
int gw_sprite_bank_seq_length(const gw_sprite_bank *bank, int seq);
/// Mean motion of the person in the source clip, pixels a frame.
void gw_sprite_bank_seq_motion(const gw_sprite_bank *bank, int seq, float *vx, float *vy);
/// Width / height of one sprite's box.
float gw_sprite_bank_aspect(const gw_sprite_bank *bank, int seq, int frame);

/// Background of a scene at its output size: style 0 = street (the bank's median
/// background, resized), style 1 = overhead floor texture made from `seed`.
typedef struct gw_synth_stage gw_synth_stage;
gw_synth_stage *gw_synth_stage_new(const gw_sprite_bank *bank, int style, int width, int height, uint64_t seed);
void gw_synth_stage_free(gw_synth_stage *stage);

/// One walker in one frame. Coordinates are output pixels.
typedef struct gw_synth_walker {
    int seq, frame;          ///< sprite sequence and frame (street style)
    int flip;                ///< mirror the sprite horizontally
    float foot_x, foot_y;    ///< bottom-centre of the walker's box
    float height;            ///< box height
    float width;             ///< box width (overhead blobs; sprites use their own aspect)
    float heading;           ///< radians, direction of motion (overhead blobs)
    float hue_shift;         ///< OpenCV hue units (0…180 wraps), applied to coloured parts
    float brightness;        ///< multiplier, 1 = unchanged
    uint32_t color;          ///< 0xBBGGRR: overhead blob clothing colour
    float depth;             ///< drawn far to near: smaller depth first
} gw_synth_walker;

/// Renders background + walkers + sensor noise (sigma in grey levels) into `out`
/// (resized to the stage's size if needed). Returns 0, or -1 with a message in `err`.
int gw_synth_render(gw_synth_stage *stage, const gw_sprite_bank *bank, gw_frame *out,
                    const gw_synth_walker *walkers, int count, uint64_t noise_seed,
                    float noise_sigma, char *err, int err_len);
/// Lens covered: the picture collapses to near-uniform dark (a little noise, from `seed`).
void gw_synth_cover(gw_frame *frame, uint64_t seed);
/// Camera moved: shift by (dx, dy) as a share of the frame size and rotate by `degrees`.
void gw_synth_move(gw_frame *frame, float dx, float dy, float degrees);

#ifdef __cplusplus
}
#endif
#endif
