// Shared by sprites.cpp (building the bank) and synth.cpp (drawing scenes): what a sprite
// bank holds and how one walker's sprite is drawn.
#pragma once
#include "CVision.h"
#include <opencv2/core.hpp>
#include <vector>

namespace gw {

struct Sprite {
    cv::Mat bgr;    // CV_8UC3 crop
    cv::Mat alpha;  // CV_8UC1, feathered person mask
};

/// One person's walking sequence and their mean motion in the source clip (pixels a frame).
struct Seq {
    std::vector<Sprite> frames;
    float vx = 0, vy = 0;
};

/// Draws the walker's sprite (scaled, mirrored, recoloured) onto `canvas`.
void drawSprite(cv::Mat &canvas, const gw_sprite_bank *bank, const gw_synth_walker &w);

} // namespace gw

struct gw_sprite_bank {
    cv::Mat background;
    std::vector<gw::Seq> seqs;
    double buildMs = 0;
};
