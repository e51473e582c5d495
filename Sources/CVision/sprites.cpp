// The sprite bank of cvision_synth.h: real people cut out of footage against its median
// background, kept as short walking sequences, confirmed by the production person detector
// (cvision_detect.h) and cached on disk. Policy (paths, timing, truth) lives in Swift.
#include "CVision.h"
#include "cvision_internal.hpp"
#include "sprite_bank.hpp"
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>
#include <sys/stat.h>
#include <unistd.h>

using namespace gw;

namespace {

const char *kBankMagic = "gatewatch-sprites 9";

bool mkdirs(const std::string &path) {
    std::string cur;
    std::stringstream ss(path);
    std::string part;
    if (!path.empty() && path[0] == '/') cur = "/";
    while (std::getline(ss, part, '/')) {
        if (part.empty()) continue;
        cur += part + "/";
        if (!fileExists(cur.c_str()) && mkdir(cur.c_str(), 0755) != 0) return false;
    }
    return true;
}

double iou(const cv::Rect &a, const cv::Rect &b) {
    double i = (a & b).area();
    double u = a.area() + b.area() - i;
    return u > 0 ? i / u : 0;
}

/// A normalised detection box in pixels of a `size` picture.
cv::Rect pixels(const gw_box &d, cv::Size size) {
    return cv::Rect(int(d.x * size.width), int(d.y * size.height), int(d.w * size.width), int(d.h * size.height));
}

/// People the production detector finds in `img` with at least `minScore`.
std::vector<gw_box> detectPeople(gw_detector *detector, const cv::Mat &img, float minScore) {
    std::vector<gw_box> boxes(256);
    gw_frame view = frameView(img);
    char err[256] = {0};
    const int n = gw_detector_detect(detector, &view, minScore, boxes.data(), (int)boxes.size(), err, (int)sizeof err);
    if (n < 0) throw std::runtime_error(err);
    boxes.resize((size_t)n);
    return boxes;
}

/// Reads a clip's frames in order through the production capture (cvision_core.h).
class ClipReader {
    gw_capture *cap = nullptr;
public:
    ClipReader(const std::string &path, std::string &why) {
        char err[512] = {0};
        cap = gw_capture_open(path.c_str(), GW_SOURCE_FILE, 0, 0, err, (int)sizeof err);
        if (!cap) why = err;
    }
    ~ClipReader() { if (cap) gw_capture_free(cap); }
    ClipReader(const ClipReader &) = delete;
    ClipReader &operator=(const ClipReader &) = delete;
    bool isOpen() const { return cap != nullptr; }
    /// Frames in the clip, or a guess of 800 when the container does not say (progress only).
    int frameCount() const {
        const int64_t n = gw_capture_frame_count(cap);
        return n > 0 ? (int)n : 800;
    }
    bool read(cv::Mat &out) {
        gw_frame *f = nullptr;
        char err[256] = {0};
        if (gw_capture_read(cap, &f, err, (int)sizeof err) != 1) return false;
        out = f->mat;   // shares the pixels; they outlive the frame
        gw_frame_free(f);
        return true;
    }
};

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

/// One cut-out person in one frame of the source clip.
struct Cand {
    int frame;
    cv::Rect box;
    Sprite sprite;
};

/// One person followed from frame to frame.
struct Track { std::vector<Cand> items; };

/// Reports a build's progress: each phase maps its own 0…1 into its share of the whole.
struct BuildProgress {
    gw_progress_fn fn = nullptr;
    void *context = nullptr;
    void report(double from, double to, double phaseFraction) const {
        if (fn) fn(context, from + (to - from) * std::min(1.0, std::max(0.0, phaseFraction)));
    }
};

// ---------------------------------------------------------------- cache on disk

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

/// Saves a freshly built bank; a failure only costs a rebuild next time, so it is a warning.
void saveToCache(const gw_sprite_bank &b, const std::string &dir) {
    // Write beside and rename, so a process reading the cache never sees half a bank.
    bool ok;
    if (!fileExists(dir.c_str())) {
        const std::string tmp = dir + ".tmp." + std::to_string(getpid());
        ok = saveBank(b, tmp);
        if (ok && rename(tmp.c_str(), dir.c_str()) != 0) {
            // Another process finished first: its bank is as good as ours.
            std::error_code ec;
            std::filesystem::remove_all(tmp, ec);
            gw_sprite_bank probe;
            ok = loadBank(probe, dir);
        }
    } else {
        ok = saveBank(b, dir);
    }
    if (!ok)
        std::fprintf(stderr, "warning: cannot write the sprite cache %s; it will be rebuilt next time\n", dir.c_str());
}

// ---------------------------------------------------------------- building from footage

/// First pass: the median of ~50 frames spread over the clip is the empty street.
bool medianBackground(gw_sprite_bank &b, const std::string &video, const BuildProgress &progress, std::string &why) {
    ClipReader clip(video, why);
    if (!clip.isOpen()) return false;
    const int total = clip.frameCount();
    const int every = std::max(1, total / 50);
    std::vector<cv::Mat> samples;
    cv::Mat fr;
    for (int i = 0; clip.read(fr); i++) {
        if (i % every == 0) samples.push_back(fr.clone());
        if (i % 50 == 0) progress.report(0, 0.05, double(i) / total);
    }
    if (samples.size() < 5) { why = video + " has too few frames for a background"; return false; }
    b.background = medianOf(samples);
    return true;
}

/// A frame's difference to the background: per-pixel colour difference, the labelled
/// foreground blobs, and those blobs that are shaped like one whole standing person.
struct Foreground {
    cv::Mat gray, labels;
    std::vector<std::pair<int, cv::Rect>> people;
};

Foreground foreground(const cv::Mat &fr, const cv::Mat &background) {
    static const cv::Mat kOpen = cv::getStructuringElement(cv::MORPH_ELLIPSE, {3, 3});
    static const cv::Mat kClose = cv::getStructuringElement(cv::MORPH_ELLIPSE, {9, 9});
    Foreground fg;
    cv::Mat diff, mask, stats, cents;
    cv::absdiff(fr, background, diff);
    std::vector<cv::Mat> ch;
    cv::split(diff, ch);
    cv::max(ch[0], ch[1], fg.gray);
    cv::max(fg.gray, ch[2], fg.gray);
    cv::threshold(fg.gray, mask, 32, 255, cv::THRESH_BINARY);
    cv::morphologyEx(mask, mask, cv::MORPH_OPEN, kOpen);
    cv::morphologyEx(mask, mask, cv::MORPH_CLOSE, kClose);
    const int nl = cv::connectedComponentsWithStats(mask, fg.labels, stats, cents, 8, CV_32S);
    for (int l = 1; l < nl; l++) {
        cv::Rect r(stats.at<int>(l, 0), stats.at<int>(l, 1), stats.at<int>(l, 2), stats.at<int>(l, 3));
        double area = stats.at<int>(l, 4);
        double aspect = (double)r.height / r.width;
        if (r.height < 55 || r.height > 260 || r.width < 16) continue;
        if (aspect < 1.7 || aspect > 4.5 || area / r.area() < 0.35) continue;
        if (r.x <= 3 || r.y <= 3 || r.br().x >= fr.cols - 3 || r.br().y >= fr.rows - 3) continue;
        fg.people.push_back({l, r});
    }
    return fg;
}

/// Exactly one detection on this blob, and a confident one matching it well: no pairs,
/// no blobs of shadow alone.
bool onePersonOn(const cv::Rect &r, const std::vector<gw_box> &dets, cv::Size size) {
    int near = 0;
    double best = 0;
    for (const gw_box &d : dets) {
        double o = iou(pixels(d, size), r);
        if (o > 0.15) near++;
        if (d.score >= 0.5f) best = std::max(best, o);
    }
    return near == 1 && best >= 0.5;
}

Cand cutOut(const cv::Mat &fr, int frameIndex, const Foreground &fg, int label, const cv::Rect &r) {
    Cand c;
    c.frame = frameIndex;
    c.box = r;
    c.sprite.bgr = fr(r).clone();
    // The closed blob bridges gaps (between legs, round arms); keep only pixels that
    // really differ from the background so no road halo travels with the person.
    cv::Mat m = (fg.labels(r) == label) & (fg.gray(r) > 20);
    cv::morphologyEx(m, m, cv::MORPH_CLOSE, cv::getStructuringElement(cv::MORPH_ELLIPSE, {3, 3}));
    cv::GaussianBlur(m, c.sprite.alpha, {3, 3}, 0);  // soft edge, no hard cut-out line
    return c;
}

/// The people of one frame, cut out; with a detector only the blobs it confirms.
std::vector<Cand> candidates(const cv::Mat &fr, int frameIndex, const cv::Mat &background, gw_detector *detector) {
    const Foreground fg = foreground(fr, background);
    std::vector<Cand> cands;
    if (fg.people.empty()) return cands;
    std::vector<gw_box> dets;
    if (detector) dets = detectPeople(detector, fr, 0.3f);
    for (auto &[label, r] : fg.people) {
        if (detector && !onePersonOn(r, dets, fr.size())) continue;
        cands.push_back(cutOut(fr, frameIndex, fg, label, r));
    }
    return cands;
}

/// Continues each active track with its best-overlapping candidate of similar height;
/// tracks that find none end (into `done`), candidates nobody took start new tracks.
std::vector<Track> linkTracks(std::vector<Track> active, std::vector<Cand> cands, std::vector<Track> &done) {
    std::vector<Track> next;
    std::vector<bool> used(cands.size(), false);
    for (Track &t : active) {
        const Cand &last = t.items.back();
        int bi = -1;
        double bo = 0.35;
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
    return next;
}

/// Cuts tracks into sequences of 6..16 frames: long enough for a stride, short enough for variety.
void cutSequences(const std::vector<Track> &tracks, std::vector<Seq> &out) {
    for (const Track &t : tracks) {
        const size_t n = t.items.size();
        for (size_t s = 0; s + 6 <= n; s += 16) {
            size_t e = std::min(n, s + 16);
            if (e - s < 6) break;
            Seq q;
            for (size_t i = s; i < e; i++) q.frames.push_back(t.items[i].sprite);
            const cv::Rect &a = t.items[s].box, &z = t.items[e - 1].box;
            q.vx = float((z.x + z.width / 2.0) - (a.x + a.width / 2.0)) / float(e - 1 - s);
            q.vy = float(z.br().y - a.br().y) / float(e - 1 - s);
            out.push_back(std::move(q));
        }
    }
}

bool buildBank(gw_sprite_bank &b, const std::string &video, gw_detector *detector, const BuildProgress &progress,
               std::string &why) {
    if (!medianBackground(b, video, progress, why)) return false;
    ClipReader clip(video, why);
    if (!clip.isOpen()) return false;
    const int total = clip.frameCount();
    std::vector<Track> active, done;
    cv::Mat fr;
    for (int f = 0; clip.read(fr); f++) {
        if (f % 10 == 0) progress.report(0.05, 0.85, double(f) / total);
        active = linkTracks(std::move(active), candidates(fr, f, b.background, detector), done);
    }
    for (Track &t : active) done.push_back(std::move(t));
    cutSequences(done, b.seqs);
    if (b.seqs.empty()) { why = "no walking people found in " + video; return false; }
    return true;
}

// ---------------------------------------------------------------- curating

/// One sprite placed on the test canvas, and where its box is.
struct Trial { size_t seq, frame; int pass; cv::Rect box; };

/// Draws a batch of up to 10 sprites on the background at the sizes and places scenes use.
std::vector<Trial> placeBatch(cv::Mat &canvas, const gw_sprite_bank &b,
                              const std::vector<Trial> &items, size_t start, int perRow) {
    const int W = b.background.cols, H = b.background.rows;
    std::vector<Trial> placed;
    for (size_t k = 0; k < (size_t)(2 * perRow) && start + k < items.size(); k++) {
        Trial it = items[start + k];
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
        it.box = cv::Rect((int)std::lround(w.foot_x - ww / 2.0), (int)std::lround(w.foot_y) - hh, ww, hh);
        placed.push_back(it);
    }
    return placed;
}

/// Keeps the sequences the detector sees well: seen in 90% of trials with a mean score of
/// 0.6 (a margin over the 0.4 a counter uses); at least the best dozen, for variety.
void keepWellSeen(gw_sprite_bank &b, const std::vector<double> &scoreSum, const std::vector<int> &tried,
                  const std::vector<int> &seen) {
    const bool debug = getenv("GW_SYNTH_DEBUG") != nullptr;
    std::vector<std::pair<double, size_t>> ranked;
    std::vector<bool> keep(b.seqs.size(), false);
    int count = 0;
    for (size_t s = 0; s < b.seqs.size(); s++) {
        if (!tried[s]) continue;
        const double mean = scoreSum[s] / tried[s];
        const double rate = (double)seen[s] / tried[s];
        if (debug) std::fprintf(stderr, "seq %zu len %zu v=(%.1f,%.1f) seen %.2f mean %.2f\n", s, b.seqs[s].frames.size(), b.seqs[s].vx, b.seqs[s].vy, rate, mean);
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

// Keeps only sequences the detector still sees as people once cut out, scaled and put
// somewhere else: that is how the renderer uses them. Ten sprites per detector run.
void curateBank(gw_sprite_bank &b, gw_detector *detector, const BuildProgress &progress) {
    std::vector<Trial> items;
    // Two passes: far (small, mid-picture) and near (large, low), mirrored in the second.
    for (int pass = 0; pass < 2; pass++)
        for (size_t s = 0; s < b.seqs.size(); s++)
            for (size_t f = 0; f < b.seqs[s].frames.size(); f++) items.push_back({s, f, pass, {}});
    std::vector<double> scoreSum(b.seqs.size(), 0);
    std::vector<int> tried(b.seqs.size(), 0), seen(b.seqs.size(), 0);
    const int perRow = 5;
    for (size_t start = 0; start < items.size(); start += 2 * perRow) {
        progress.report(0.85, 1, double(start) / items.size());
        cv::Mat canvas = b.background.clone();
        const std::vector<Trial> placed = placeBatch(canvas, b, items, start, perRow);
        const std::vector<gw_box> dets = detectPeople(detector, canvas, 0.2f);
        for (const Trial &it : placed) {
            tried[it.seq]++;
            float best = 0;
            for (const gw_box &d : dets)
                if (iou(pixels(d, canvas.size()), it.box) >= 0.4) best = std::max(best, d.score);
            scoreSum[it.seq] += best;
            if (best >= 0.4f) seen[it.seq]++;
        }
    }
    keepWellSeen(b, scoreSum, tried, seen);
}

/// The production SSDLite detector when both model files exist; nullptr (build without
/// confirmation) when they do not. Throws when they exist but cannot be loaded.
gw_detector *openConfirmingDetector(const char *model_pb, const char *model_pbtxt) {
    if (!model_pb || !model_pbtxt || !fileExists(model_pb) || !fileExists(model_pbtxt)) return nullptr;
    char err[512] = {0};
    gw_detector *d = gw_ssd_new(model_pb, model_pbtxt, 1, err, (int)sizeof err);
    if (!d) throw std::runtime_error(err);
    return d;
}

/// Builds the bank from footage; the one-line reason in `why` when it cannot.
gw_sprite_bank *buildFromFootage(const std::string &video, const char *model_pb, const char *model_pbtxt,
                                 const BuildProgress &progress, std::string &why) {
    auto t0 = std::chrono::steady_clock::now();
    std::unique_ptr<gw_detector, void (*)(gw_detector *)> detector(openConfirmingDetector(model_pb, model_pbtxt),
                                                                    gw_detector_free);
    auto b = std::make_unique<gw_sprite_bank>();
    if (!buildBank(*b, video, detector.get(), progress, why)) return nullptr;
    if (detector) curateBank(*b, detector.get(), progress);
    progress.report(0, 1, 1);
    if (b->seqs.empty()) { why = "the person model saw none of the cut-out people"; return nullptr; }
    b->buildMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    return b.release();
}

}  // namespace

extern "C" gw_sprite_bank *gw_sprite_bank_load(const char *video_path, const char *cache_dir,
                                               const char *model_pb, const char *model_pbtxt,
                                               gw_progress_fn progress_fn, void *progress_context,
                                               char *err, int err_len) {
    try {
        const std::string dir = cache_dir ? cache_dir : "";
        if (!dir.empty()) {
            auto cached = std::make_unique<gw_sprite_bank>();
            if (loadBank(*cached, dir)) return cached.release();
        }
        const std::string video = video_path ? video_path : "";
        if (!fileExists(video.c_str())) {
            setError(err, err_len, "synthetic scenes need " + video +
                     " (people are cut out of it): install it with `sudo apt-get install opencv-doc`");
            return nullptr;
        }
        std::string why;
        gw_sprite_bank *b = buildFromFootage(video, model_pb, model_pbtxt, BuildProgress{progress_fn, progress_context}, why);
        if (!b) {
            setError(err, err_len, "cannot build the sprite bank: " + why);
            return nullptr;
        }
        if (!dir.empty()) saveToCache(*b, dir);
        return b;
    } catch (const std::exception &e) {
        setError(err, err_len, std::string("cannot build the sprite bank: ") + e.what());
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
