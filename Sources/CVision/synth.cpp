// Synthetic scenes: sprite bank cut from real footage, renderer, tamper effects,
// MJPG writer and a reference SSDLite check. Policy (paths, timing, truth) lives in Swift.
#include "CVision.h"
#include "frame_internal.hpp"
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/videoio.hpp>
#include <opencv2/dnn.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>
#include <sys/stat.h>
#include <unistd.h>

namespace {

const char *kBankMagic = "gatewatch-sprites 9";

void setErr(char *err, int len, const std::string &msg) {
    if (err && len > 0) std::snprintf(err, (size_t)len, "%s", msg.c_str());
}

bool fileExists(const std::string &p) {
    struct stat st;
    return stat(p.c_str(), &st) == 0;
}

bool mkdirs(const std::string &path) {
    std::string cur;
    std::stringstream ss(path);
    std::string part;
    if (!path.empty() && path[0] == '/') cur = "/";
    while (std::getline(ss, part, '/')) {
        if (part.empty()) continue;
        cur += part + "/";
        if (!fileExists(cur) && mkdir(cur.c_str(), 0755) != 0) return false;
    }
    return true;
}

struct Sprite {
    cv::Mat bgr;    // CV_8UC3 crop
    cv::Mat alpha;  // CV_8UC1, feathered person mask
};

struct Seq {
    std::vector<Sprite> frames;
    float vx = 0, vy = 0;
};

double iou(const cv::Rect &a, const cv::Rect &b) {
    double i = (a & b).area();
    double u = a.area() + b.area() - i;
    return u > 0 ? i / u : 0;
}

std::vector<std::pair<cv::Rect2f, float>> ssdDetect(cv::dnn::Net &net, const cv::Mat &img, float minScore) {
    // The model wants raw BGR 0..255 at 300x300 with channels swapped; scaling gives nothing.
    cv::Mat blob = cv::dnn::blobFromImage(img, 1.0, cv::Size(300, 300), cv::Scalar(), true, false);
    net.setInput(blob);
    cv::Mat out = net.forward();
    std::vector<std::pair<cv::Rect2f, float>> res;
    const int n = out.size[2];
    const float *d = out.ptr<float>();
    for (int i = 0; i < n; i++) {
        const float *r = d + i * 7;
        if (r[2] < minScore) continue;
        float x1 = std::clamp(r[3], 0.f, 1.f), y1 = std::clamp(r[4], 0.f, 1.f);
        float x2 = std::clamp(r[5], 0.f, 1.f), y2 = std::clamp(r[6], 0.f, 1.f);
        if (x2 <= x1 || y2 <= y1) continue;
        res.push_back({cv::Rect2f(x1, y1, x2 - x1, y2 - y1), r[2]});
    }
    return res;
}

cv::Mat medianOf(const std::vector<cv::Mat> &frames) {
    cv::Mat out(frames[0].size(), frames[0].type());
    const size_t total = frames[0].total() * frames[0].channels();
    std::vector<uchar> v(frames.size());
    uchar *o = out.ptr<uchar>();
    for (size_t i = 0; i < total; i++) {
        for (size_t k = 0; k < frames.size(); k++) v[k] = frames[k].ptr<uchar>()[i];
        std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
        o[i] = v[v.size() / 2];
    }
    return out;
}

struct Cand {
    int frame;
    cv::Rect box;
    Sprite sprite;
};

}  // namespace

struct gw_sprite_bank {
    cv::Mat background;
    std::vector<Seq> seqs;
    double buildMs = 0;
};

namespace {

bool saveBank(const gw_sprite_bank &b, const std::string &dir) {
    if (!mkdirs(dir)) return false;
    if (!cv::imwrite(dir + "/background.png", b.background)) return false;
    for (size_t s = 0; s < b.seqs.size(); s++) {
        for (size_t f = 0; f < b.seqs[s].frames.size(); f++) {
            const Sprite &sp = b.seqs[s].frames[f];
            cv::Mat bgra;
            std::vector<cv::Mat> ch;
            cv::split(sp.bgr, ch);
            ch.push_back(sp.alpha);
            cv::merge(ch, bgra);
            if (!cv::imwrite(dir + "/s" + std::to_string(s) + "_" + std::to_string(f) + ".png", bgra)) return false;
        }
    }
    // The index goes last: a bank without it is incomplete and gets rebuilt.
    std::ofstream idx(dir + "/index.txt");
    idx << kBankMagic << "\n" << b.seqs.size() << "\n";
    for (const Seq &s : b.seqs) idx << s.frames.size() << " " << s.vx << " " << s.vy << "\n";
    return (bool)idx;
}

bool loadBank(gw_sprite_bank &b, const std::string &dir) {
    std::ifstream idx(dir + "/index.txt");
    if (!idx) return false;
    std::string magic;
    std::getline(idx, magic);
    if (magic != kBankMagic) return false;
    size_t n = 0;
    idx >> n;
    b.background = cv::imread(dir + "/background.png", cv::IMREAD_COLOR);
    if (b.background.empty() || n == 0) return false;
    b.seqs.resize(n);
    for (size_t s = 0; s < n; s++) {
        size_t len = 0;
        idx >> len >> b.seqs[s].vx >> b.seqs[s].vy;
        if (!idx || len == 0) return false;
        for (size_t f = 0; f < len; f++) {
            cv::Mat bgra = cv::imread(dir + "/s" + std::to_string(s) + "_" + std::to_string(f) + ".png", cv::IMREAD_UNCHANGED);
            if (bgra.empty() || bgra.channels() != 4) return false;
            Sprite sp;
            std::vector<cv::Mat> ch;
            cv::split(bgra, ch);
            sp.alpha = ch[3];
            ch.pop_back();
            cv::merge(ch, sp.bgr);
            b.seqs[s].frames.push_back(sp);
        }
    }
    return true;
}

/// Reports a build's progress: each phase maps its own 0…1 into its share of the whole.
struct BuildProgress {
    gw_progress_fn fn = nullptr;
    void *context = nullptr;
    void report(double from, double to, double phaseFraction) const {
        if (fn) fn(context, from + (to - from) * std::min(1.0, std::max(0.0, phaseFraction)));
    }
};

bool buildBank(gw_sprite_bank &b, const std::string &video, cv::dnn::Net *net, const BuildProgress &progress,
               std::string &why) {
    cv::VideoCapture cap(video);
    if (!cap.isOpened()) { why = "cannot decode " + video; return false; }
    int total = (int)cap.get(cv::CAP_PROP_FRAME_COUNT);
    if (total <= 0) total = 800;
    const int every = std::max(1, total / 50);
    std::vector<cv::Mat> samples;
    cv::Mat fr;
    for (int i = 0; cap.read(fr); i++) {
        if (i % every == 0) samples.push_back(fr.clone());
        if (i % 50 == 0) progress.report(0, 0.05, double(i) / total);
    }
    if (samples.size() < 5) { why = video + " has too few frames for a background"; return false; }
    b.background = medianOf(samples);
    samples.clear();

    cap.release();
    cap.open(video);
    const cv::Mat kOpen = cv::getStructuringElement(cv::MORPH_ELLIPSE, {3, 3});
    const cv::Mat kClose = cv::getStructuringElement(cv::MORPH_ELLIPSE, {9, 9});
    struct Track { std::vector<Cand> items; };
    std::vector<Track> active, done;
    for (int f = 0; cap.read(fr); f++) {
        if (f % 10 == 0) progress.report(0.05, 0.85, double(f) / total);
        cv::Mat diff, gray, mask;
        cv::absdiff(fr, b.background, diff);
        std::vector<cv::Mat> ch;
        cv::split(diff, ch);
        cv::max(ch[0], ch[1], gray);
        cv::max(gray, ch[2], gray);
        cv::threshold(gray, mask, 32, 255, cv::THRESH_BINARY);
        cv::morphologyEx(mask, mask, cv::MORPH_OPEN, kOpen);
        cv::morphologyEx(mask, mask, cv::MORPH_CLOSE, kClose);
        cv::Mat labels, stats, cents;
        int nl = cv::connectedComponentsWithStats(mask, labels, stats, cents, 8, CV_32S);
        std::vector<std::pair<int, cv::Rect>> boxes;
        for (int l = 1; l < nl; l++) {
            cv::Rect r(stats.at<int>(l, 0), stats.at<int>(l, 1), stats.at<int>(l, 2), stats.at<int>(l, 3));
            double area = stats.at<int>(l, 4);
            double aspect = (double)r.height / r.width;
            if (r.height < 55 || r.height > 260 || r.width < 16) continue;
            if (aspect < 1.7 || aspect > 4.5 || area / r.area() < 0.35) continue;
            if (r.x <= 3 || r.y <= 3 || r.br().x >= fr.cols - 3 || r.br().y >= fr.rows - 3) continue;
            boxes.push_back({l, r});
        }
        std::vector<Cand> cands;
        if (!boxes.empty()) {
            std::vector<std::pair<cv::Rect2f, float>> dets;
            if (net) dets = ssdDetect(*net, fr, 0.3f);
            for (auto &[l, r] : boxes) {
                if (net) {
                    // Exactly one person on this blob, and a good match: no pairs, no shadows-only blobs.
                    int near = 0; double best = 0;
                    for (auto &[d, sc] : dets) {
                        cv::Rect dr(int(d.x * fr.cols), int(d.y * fr.rows), int(d.width * fr.cols), int(d.height * fr.rows));
                        double o = iou(dr, r);
                        if (o > 0.15) near++;
                        if (sc >= 0.5) best = std::max(best, o);
                    }
                    if (near != 1 || best < 0.5) continue;
                }
                Cand c;
                c.frame = f;
                c.box = r;
                c.sprite.bgr = fr(r).clone();
                // The closed blob bridges gaps (between legs, round arms); keep only pixels that
                // really differ from the background so no road halo travels with the person.
                cv::Mat m = (labels(r) == l) & (gray(r) > 20);
                cv::morphologyEx(m, m, cv::MORPH_CLOSE, cv::getStructuringElement(cv::MORPH_ELLIPSE, {3, 3}));
                cv::GaussianBlur(m, c.sprite.alpha, {3, 3}, 0);  // soft edge, no hard cut-out line
                cands.push_back(std::move(c));
            }
        }
        std::vector<Track> next;
        std::vector<bool> used(cands.size(), false);
        for (Track &t : active) {
            const Cand &last = t.items.back();
            int bi = -1; double bo = 0.35;
            for (size_t i = 0; i < cands.size(); i++) {
                if (used[i]) continue;
                double o = iou(last.box, cands[i].box);
                double hr = (double)cands[i].box.height / last.box.height;
                if (o > bo && hr > 0.8 && hr < 1.25) { bo = o; bi = (int)i; }
            }
            if (bi >= 0) { used[bi] = true; t.items.push_back(std::move(cands[bi])); next.push_back(std::move(t)); }
            else done.push_back(std::move(t));
        }
        for (size_t i = 0; i < cands.size(); i++)
            if (!used[i]) { Track t; t.items.push_back(std::move(cands[i])); next.push_back(std::move(t)); }
        active = std::move(next);
    }
    for (Track &t : active) done.push_back(std::move(t));
    // Cut tracks into sequences of 6..16 frames: long enough for a stride, short enough for variety.
    for (Track &t : done) {
        const size_t n = t.items.size();
        for (size_t s = 0; s + 6 <= n; s += 16) {
            size_t e = std::min(n, s + 16);
            if (e - s < 6) break;
            Seq q;
            for (size_t i = s; i < e; i++) q.frames.push_back(t.items[i].sprite);
            const cv::Rect &a = t.items[s].box, &z = t.items[e - 1].box;
            q.vx = float((z.x + z.width / 2.0) - (a.x + a.width / 2.0)) / float(e - 1 - s);
            q.vy = float(z.br().y - a.br().y) / float(e - 1 - s);
            b.seqs.push_back(std::move(q));
        }
    }
    if (b.seqs.empty()) { why = "no walking people found in " + video; return false; }
    return true;
}

void curateBank(gw_sprite_bank &b, cv::dnn::Net &net, const BuildProgress &progress);

}  // namespace

extern "C" gw_sprite_bank *gw_sprite_bank_load(const char *video_path, const char *cache_dir,
                                               const char *model_pb, const char *model_pbtxt,
                                               gw_progress_fn progress_fn, void *progress_context,
                                               char *err, int err_len) {
    try {
        auto *b = new gw_sprite_bank();
        std::string dir = cache_dir ? cache_dir : "";
        if (!dir.empty() && loadBank(*b, dir)) return b;
        *b = gw_sprite_bank();
        std::string video = video_path ? video_path : "";
        if (!fileExists(video)) {
            setErr(err, err_len, "synthetic scenes need " + video +
                   " (people are cut out of it): install it with `sudo apt-get install opencv-doc`");
            delete b;
            return nullptr;
        }
        auto t0 = std::chrono::steady_clock::now();
        cv::dnn::Net net;
        bool haveNet = false;
        if (model_pb && model_pbtxt && fileExists(model_pb) && fileExists(model_pbtxt)) {
            net = cv::dnn::readNetFromTensorflow(model_pb, model_pbtxt);
            haveNet = !net.empty();
        }
        std::string why;
        BuildProgress progress{progress_fn, progress_context};
        if (!buildBank(*b, video, haveNet ? &net : nullptr, progress, why)) {
            setErr(err, err_len, "cannot build the sprite bank: " + why);
            delete b;
            return nullptr;
        }
        if (haveNet) curateBank(*b, net, progress);
        progress.report(0, 1, 1);
        if (b->seqs.empty()) {
            setErr(err, err_len, "cannot build the sprite bank: the person model saw none of the cut-out people");
            delete b;
            return nullptr;
        }
        b->buildMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        if (!dir.empty()) {
            // Write beside and rename, so a process reading the cache never sees half a bank.
            bool ok;
            if (!fileExists(dir)) {
                const std::string tmp = dir + ".tmp." + std::to_string(getpid());
                ok = saveBank(*b, tmp);
                if (ok && rename(tmp.c_str(), dir.c_str()) != 0) {
                    // Another process finished first: its bank is as good as ours.
                    std::error_code ec;
                    std::filesystem::remove_all(tmp, ec);
                    gw_sprite_bank probe;
                    ok = loadBank(probe, dir);
                }
            } else {
                ok = saveBank(*b, dir);
            }
            if (!ok)
                std::fprintf(stderr, "warning: cannot write the sprite cache %s; it will be rebuilt next time\n", dir.c_str());
        }
        return b;
    } catch (const std::exception &e) {
        setErr(err, err_len, std::string("cannot build the sprite bank: ") + e.what());
        return nullptr;
    }
}

extern "C" void gw_sprite_bank_free(gw_sprite_bank *bank) { delete bank; }
extern "C" double gw_sprite_bank_build_ms(const gw_sprite_bank *b) { return b->buildMs; }
extern "C" int gw_sprite_bank_sequences(const gw_sprite_bank *b) { return (int)b->seqs.size(); }
extern "C" int gw_sprite_bank_seq_length(const gw_sprite_bank *b, int seq) {
    if (seq < 0 || seq >= (int)b->seqs.size()) return 0;
    return (int)b->seqs[seq].frames.size();
}
extern "C" void gw_sprite_bank_seq_motion(const gw_sprite_bank *b, int seq, float *vx, float *vy) {
    if (seq < 0 || seq >= (int)b->seqs.size()) { *vx = *vy = 0; return; }
    *vx = b->seqs[seq].vx; *vy = b->seqs[seq].vy;
}
extern "C" float gw_sprite_bank_aspect(const gw_sprite_bank *b, int seq, int frame) {
    if (seq < 0 || seq >= (int)b->seqs.size()) return 0.4f;
    const auto &fs = b->seqs[seq].frames;
    const Sprite &s = fs[(size_t)std::max(0, frame) % fs.size()];
    return (float)s.bgr.cols / (float)s.bgr.rows;
}

// ---------------------------------------------------------------- rendering

struct gw_synth_stage {
    int style = 0;
    cv::Mat bg;     // CV_8UC3 at output size
    cv::Mat noise;  // CV_16SC3, larger than the frame; a random window of it per frame
};

extern "C" gw_synth_stage *gw_synth_stage_new(const gw_sprite_bank *bank, int style, int width, int height, uint64_t seed) {
    auto *st = new gw_synth_stage();
    st->style = style;
    cv::RNG rng(seed ? seed : 1);
    if (style == 0 && bank) {
        cv::resize(bank->background, st->bg, cv::Size(width, height), 0, 0, cv::INTER_AREA);
    } else {
        // Overhead floor: paving slabs of slightly different shades, grout lines, fine grain.
        cv::Mat floor(height, width, CV_8UC3);
        const int tile = std::max(24, width / 14);
        const cv::Vec3b base(rng.uniform(120, 150), rng.uniform(130, 160), rng.uniform(135, 170));
        for (int ty = 0; ty * tile < height; ty++)
            for (int tx = 0; tx * tile < width; tx++) {
                int d = rng.uniform(-14, 15);
                cv::Rect r(tx * tile, ty * tile, tile, tile);
                r &= cv::Rect(0, 0, width, height);
                floor(r).setTo(cv::Scalar(base[0] + d, base[1] + d, base[2] + d));
                cv::rectangle(floor, r, cv::Scalar(base[0] - 45, base[1] - 45, base[2] - 45), 2);
            }
        cv::Mat grain(height, width, CV_16SC3);
        rng.fill(grain, cv::RNG::NORMAL, 0, 6);
        cv::Mat f16;
        floor.convertTo(f16, CV_16SC3);
        f16 += grain;
        f16.convertTo(st->bg, CV_8UC3);
        cv::GaussianBlur(st->bg, st->bg, {3, 3}, 0);
    }
    st->noise.create(height + 64, width + 64, CV_16SC3);
    rng.fill(st->noise, cv::RNG::NORMAL, 0, 1.0);  // unit noise, scaled per frame
    return st;
}

extern "C" void gw_synth_stage_free(gw_synth_stage *stage) { delete stage; }

namespace {

void blendSprite(cv::Mat &canvas, const cv::Mat &bgr, const cv::Mat &alpha, int x0, int y0) {
    cv::Rect dst(x0, y0, bgr.cols, bgr.rows);
    cv::Rect clip = dst & cv::Rect(0, 0, canvas.cols, canvas.rows);
    if (clip.empty()) return;
    for (int y = clip.y; y < clip.br().y; y++) {
        uchar *o = canvas.ptr<uchar>(y);
        const uchar *s = bgr.ptr<uchar>(y - y0);
        const uchar *a = alpha.ptr<uchar>(y - y0);
        for (int x = clip.x; x < clip.br().x; x++) {
            int sx = x - x0;
            int al = a[sx];
            if (al == 0) continue;
            for (int c = 0; c < 3; c++)
                o[x * 3 + c] = (uchar)((s[sx * 3 + c] * al + o[x * 3 + c] * (255 - al) + 127) / 255);
        }
    }
}

void drawSprite(cv::Mat &canvas, const gw_sprite_bank *bank, const gw_synth_walker &w) {
    if (!bank || bank->seqs.empty()) return;
    const Seq &q = bank->seqs[(size_t)std::max(0, w.seq) % bank->seqs.size()];
    const Sprite &sp = q.frames[(size_t)std::max(0, w.frame) % q.frames.size()];
    const double scale = std::max(4.0f, w.height) / sp.bgr.rows;
    const int ww = std::max(2, (int)std::lround(sp.bgr.cols * scale));
    const int hh = std::max(4, (int)std::lround(w.height));
    cv::Mat bgr, alpha;
    const int interp = scale > 1 ? cv::INTER_LINEAR : cv::INTER_AREA;
    cv::resize(sp.bgr, bgr, {ww, hh}, 0, 0, interp);
    cv::resize(sp.alpha, alpha, {ww, hh}, 0, 0, interp);
    if (w.flip) { cv::flip(bgr, bgr, 1); cv::flip(alpha, alpha, 1); }
    if (std::fabs(w.hue_shift) > 0.5f || std::fabs(w.brightness - 1.0f) > 0.01f) {
        cv::Mat hsv;
        cv::cvtColor(bgr, hsv, cv::COLOR_BGR2HSV);
        const int dh = ((int)std::lround(w.hue_shift) % 180 + 180) % 180;
        for (int y = 0; y < hsv.rows; y++) {
            cv::Vec3b *p = hsv.ptr<cv::Vec3b>(y);
            for (int x = 0; x < hsv.cols; x++) {
                // Only clearly coloured parts (clothes) change hue; skin and grey stay natural.
                const int h = p[x][0];
                const bool skin = h < 25 || h > 165;
                if (p[x][1] > 80 && p[x][2] > 40 && !skin) p[x][0] = (uchar)((h + dh) % 180);
                p[x][2] = cv::saturate_cast<uchar>(p[x][2] * w.brightness);
            }
        }
        cv::cvtColor(hsv, bgr, cv::COLOR_HSV2BGR);
    }
    blendSprite(canvas, bgr, alpha, (int)std::lround(w.foot_x - ww / 2.0), (int)std::lround(w.foot_y - hh));
}

void drawBlob(cv::Mat &canvas, const gw_synth_walker &w) {
    // Seen from above: soft shadow, shoulders as an ellipse across the heading, arms, head.
    const cv::Point2f c(w.foot_x, w.foot_y - w.height / 2);
    const float deg = w.heading * 180.f / (float)CV_PI;
    const float across = w.width * 0.48f, along = w.height * 0.26f;
    const cv::Scalar col((w.color >> 16) & 255, (w.color >> 8) & 255, w.color & 255);
    const int shift = 4, k = 1 << shift;
    auto P = [&](cv::Point2f p) { return cv::Point((int)std::lround(p.x * k), (int)std::lround(p.y * k)); };
    auto S = [&](float a, float b) { return cv::Size((int)std::lround(a * k), (int)std::lround(b * k)); };
    cv::ellipse(canvas, P(c + cv::Point2f(3, 3)), S(across, along * 1.2f), deg, 0, 360, cv::Scalar(60, 60, 60), -1, cv::LINE_AA, shift);
    cv::ellipse(canvas, P(c), S(across, along), deg, 0, 360, col * 0.7, -1, cv::LINE_AA, shift);
    cv::ellipse(canvas, P(c), S(across * 0.85f, along * 0.8f), deg, 0, 360, col, -1, cv::LINE_AA, shift);
    const cv::Point2f fwd(std::cos(w.heading), std::sin(w.heading));
    const float hr = std::min(w.width, w.height) * 0.2f;
    cv::circle(canvas, P(c + fwd * (along * 0.2f)), (int)std::lround(hr * k), cv::Scalar(30, 35, 45), -1, cv::LINE_AA, shift);
}

// Keeps only sequences the detector still sees as people once cut out, scaled and put
// somewhere else: that is how the renderer uses them. Ten sprites per detector run.
void curateBank(gw_sprite_bank &b, cv::dnn::Net &net, const BuildProgress &progress) {
    struct Item { size_t seq, frame; int pass; };
    std::vector<Item> items;
    // Two passes: far (small, mid-picture) and near (large, low), mirrored in the second.
    for (int pass = 0; pass < 2; pass++)
        for (size_t s = 0; s < b.seqs.size(); s++)
            for (size_t f = 0; f < b.seqs[s].frames.size(); f++) items.push_back({s, f, pass});
    std::vector<double> scoreSum(b.seqs.size(), 0);
    std::vector<int> tried(b.seqs.size(), 0);
    std::vector<int> seenP[2] = {std::vector<int>(b.seqs.size(), 0), std::vector<int>(b.seqs.size(), 0)};
    const int W = b.background.cols, H = b.background.rows;
    const int perRow = 5;
    for (size_t start = 0; start < items.size(); start += 2 * perRow) {
        progress.report(0.85, 1, double(start) / items.size());
        cv::Mat canvas = b.background.clone();
        std::vector<std::pair<Item, cv::Rect>> placed;
        for (size_t k = 0; k < 2 * perRow && start + k < items.size(); k++) {
            const Item it = items[start + k];
            const int row = (int)(k / perRow);
            gw_synth_walker w{};
            w.seq = (int)it.seq; w.frame = (int)it.frame; w.flip = it.pass;
            // Same sizes and places as the scenes use (SyntheticScene.boxHeight), small and large.
            const float y = it.pass == 0 ? (row ? 0.75f : 0.42f) : (row ? 0.90f : 0.55f);
            w.height = (0.22f + 0.10f * y) * H * (it.pass == 0 ? 0.85f : 1.2f);
            w.foot_y = y * H;
            w.foot_x = (float)W * (0.1f + 0.8f * (float)(k % perRow) / (perRow - 1));
            w.brightness = 1;
            drawSprite(canvas, &b, w);
            const Sprite &sp = b.seqs[it.seq].frames[it.frame];
            int hh = (int)std::lround(w.height);
            int ww = (int)std::lround(sp.bgr.cols * (double)hh / sp.bgr.rows);
            placed.push_back({it, cv::Rect((int)std::lround(w.foot_x - ww / 2.0), (int)std::lround(w.foot_y) - hh, ww, hh)});
        }
        auto dets = ssdDetect(net, canvas, 0.2f);
        for (auto &[it, r] : placed) {
            tried[it.seq]++;
            float best = 0;
            for (auto &[d, sc] : dets) {
                cv::Rect dr(int(d.x * W), int(d.y * H), int(d.width * W), int(d.height * H));
                if (iou(dr, r) >= 0.4) best = std::max(best, sc);
            }
            scoreSum[it.seq] += best;
            if (best >= 0.4f) seenP[it.pass][it.seq]++;
        }
    }
    const bool debug = getenv("GW_SYNTH_DEBUG") != nullptr;
    std::vector<std::pair<double, size_t>> ranked;
    std::vector<bool> keep(b.seqs.size(), false);
    int count = 0;
    for (size_t s = 0; s < b.seqs.size(); s++) {
        if (!tried[s]) continue;
        const double mean = scoreSum[s] / tried[s];
        const double rate = (double)(seenP[0][s] + seenP[1][s]) / tried[s];
        if (debug) std::fprintf(stderr, "seq %zu len %zu v=(%.1f,%.1f) seen %.2f mean %.2f\n", s, b.seqs[s].frames.size(), b.seqs[s].vx, b.seqs[s].vy, rate, mean);
        // Mean score over 0.6 leaves a margin over the 0.4 a counter uses.
        if (rate >= 0.9 && mean >= 0.6) { keep[s] = true; count++; }
        ranked.push_back({mean * rate, s});
    }
    // Too few clear winners (other footage): keep the best dozen anyway, for variety.
    std::sort(ranked.rbegin(), ranked.rend());
    for (size_t i = 0; i < ranked.size() && count < 12; i++)
        if (!keep[ranked[i].second]) { keep[ranked[i].second] = true; count++; }
    std::vector<Seq> kept;
    for (size_t s = 0; s < b.seqs.size(); s++)
        if (keep[s]) kept.push_back(std::move(b.seqs[s]));
    b.seqs = std::move(kept);
}

}  // namespace

extern "C" int gw_synth_render(gw_synth_stage *st, const gw_sprite_bank *bank, gw_frame *out,
                               const gw_synth_walker *walkers, int count, uint64_t noise_seed,
                               float noise_sigma, char *err, int err_len) {
    try {
        st->bg.copyTo(out->mat);
        std::vector<const gw_synth_walker *> order;
        for (int i = 0; i < count; i++) order.push_back(&walkers[i]);
        std::sort(order.begin(), order.end(), [](auto *a, auto *b) { return a->depth != b->depth ? a->depth < b->depth : a < b; });
        for (const gw_synth_walker *w : order) {
            if (st->style == 0) drawSprite(out->mat, bank, *w);
            else drawBlob(out->mat, *w);
        }
        if (noise_sigma > 0) {
            cv::RNG rng(noise_seed ? noise_seed : 7);
            const int ox = rng.uniform(0, 64), oy = rng.uniform(0, 64);
            cv::Mat n = st->noise(cv::Rect(ox, oy, out->mat.cols, out->mat.rows));
            cv::Mat f16;
            out->mat.convertTo(f16, CV_16SC3);
            cv::scaleAdd(n, noise_sigma, f16, f16);
            f16.convertTo(out->mat, CV_8UC3);
        }
        return 0;
    } catch (const std::exception &e) {
        setErr(err, err_len, std::string("synthetic render failed: ") + e.what());
        return -1;
    }
}

extern "C" void gw_synth_cover(gw_frame *frame, uint64_t seed) {
    cv::RNG rng(seed ? seed : 3);
    cv::Mat n(frame->mat.size(), CV_16SC3);
    rng.fill(n, cv::RNG::NORMAL, 14, 2);
    n.convertTo(frame->mat, CV_8UC3);
}

extern "C" void gw_synth_move(gw_frame *frame, float dx, float dy, float degrees) {
    cv::Mat &m = frame->mat;
    cv::Mat rot = cv::getRotationMatrix2D(cv::Point2f(m.cols / 2.f, m.rows / 2.f), degrees, 1.0);
    rot.at<double>(0, 2) += dx * m.cols;
    rot.at<double>(1, 2) += dy * m.rows;
    cv::Mat moved;
    cv::warpAffine(m, moved, rot, m.size(), cv::INTER_LINEAR, cv::BORDER_REFLECT);
    m = moved;
}

// ---------------------------------------------------------------- writer, images

struct gw_synth_writer { cv::VideoWriter vw; cv::Size size; };

extern "C" gw_synth_writer *gw_synth_writer_open(const char *path, double fps, int width, int height,
                                                 char *err, int err_len) {
    auto *w = new gw_synth_writer();
    w->size = cv::Size(width, height);
    try {
        w->vw.open(path, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), fps, w->size, true);
    } catch (const std::exception &) {}
    if (!w->vw.isOpened()) {
        setErr(err, err_len, std::string("cannot write video ") + path +
               ": check that the folder exists and is writable and the name ends in .avi");
        delete w;
        return nullptr;
    }
    return w;
}

extern "C" int gw_synth_writer_write(gw_synth_writer *w, const gw_frame *frame) {
    if (frame->mat.size() == w->size) w->vw.write(frame->mat);
    else { cv::Mat r; cv::resize(frame->mat, r, w->size); w->vw.write(r); }
    return 0;
}

extern "C" void gw_synth_writer_close(gw_synth_writer *w) {
    if (!w) return;
    w->vw.release();
    delete w;
}

extern "C" int gw_synth_save_image(const gw_frame *frame, const char *path) {
    try { return cv::imwrite(path, frame->mat) ? 0 : -1; } catch (const std::exception &) { return -1; }
}

// ---------------------------------------------------------------- reference detector

struct gw_synth_ssd { cv::dnn::Net net; };

extern "C" gw_synth_ssd *gw_synth_ssd_open(const char *pb, const char *pbtxt, char *err, int err_len) {
    if (!pb || !pbtxt || !fileExists(pb) || !fileExists(pbtxt)) {
        setErr(err, err_len, std::string("person model not found (") + (pb ? pb : "?") +
               "): run the setup script to install it");
        return nullptr;
    }
    try {
        auto *s = new gw_synth_ssd();
        s->net = cv::dnn::readNetFromTensorflow(pb, pbtxt);
        if (s->net.empty()) { delete s; setErr(err, err_len, std::string("cannot load person model ") + pb); return nullptr; }
        return s;
    } catch (const std::exception &e) {
        setErr(err, err_len, std::string("cannot load person model ") + pb + ": " + e.what());
        return nullptr;
    }
}

extern "C" void gw_synth_ssd_free(gw_synth_ssd *s) { delete s; }

extern "C" int gw_synth_ssd_detect(gw_synth_ssd *s, const gw_frame *frame, float min_score,
                                   float *boxes, float *scores, int max) {
    try {
        auto dets = ssdDetect(s->net, frame->mat, min_score);
        int n = 0;
        for (auto &[r, sc] : dets) {
            if (n >= max) break;
            boxes[n * 4] = r.x; boxes[n * 4 + 1] = r.y;
            boxes[n * 4 + 2] = r.x + r.width; boxes[n * 4 + 3] = r.y + r.height;
            scores[n] = sc;
            n++;
        }
        return n;
    } catch (const std::exception &) {
        return -1;
    }
}
