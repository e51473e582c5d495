// The person detectors of cvision_detect.h: SSDLite through cv::dnn, HOG, and motion blobs.
// Production feeds and the synthetic toolkit (sprite bank, recall check) call the same ones.
#include "CVision.h"
#include "detector_internal.hpp"
#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>
#include <opencv2/video/background_segm.hpp>
#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

using namespace gw;

// ---------------------------------------------------------------- detectors

namespace {

gw_box normBox(const cv::Rect2f &r, float fw, float fh, float score) {
    float x0 = std::clamp(r.x / fw, 0.f, 1.f), y0 = std::clamp(r.y / fh, 0.f, 1.f);
    float x1 = std::clamp((r.x + r.width) / fw, 0.f, 1.f), y1 = std::clamp((r.y + r.height) / fh, 0.f, 1.f);
    return gw_box{x0, y0, std::max(0.f, x1 - x0), std::max(0.f, y1 - y0), score};
}

struct SSDDetector : gw_detector {
    cv::dnn::Net net;
    int classId = 1;
    cv::Mat blob;
    void detect(const cv::Mat &frame, float minScore, std::vector<gw_box> &out) override {
        // The model wants raw RGB 0..255 at 300x300: scale 1, no mean (scaling gives no detections).
        cv::dnn::blobFromImage(frame, blob, 1.0, cv::Size(300, 300), cv::Scalar(), true, false, CV_32F);
        net.setInput(blob);
        cv::Mat res = net.forward();
        // [1,1,N,7]: image, class, score, x1, y1, x2, y2 (normalised)
        const int n = res.size[2];
        cv::Mat rows(n, 7, CV_32F, res.ptr<float>());
        for (int i = 0; i < n; i++) {
            const float *r = rows.ptr<float>(i);
            if ((int)r[1] != classId || r[2] < minScore) continue;
            float x0 = std::clamp(r[3], 0.f, 1.f), y0 = std::clamp(r[4], 0.f, 1.f);
            float x1 = std::clamp(r[5], 0.f, 1.f), y1 = std::clamp(r[6], 0.f, 1.f);
            if (x1 <= x0 || y1 <= y0) continue;
            out.push_back(gw_box{x0, y0, x1 - x0, y1 - y0, r[2]});
        }
    }
};

struct HOGDetector : gw_detector {
    cv::HOGDescriptor hog;
    int scaleWidth = 0;
    double hitThreshold = 0;
    void detect(const cv::Mat &frame, float minScore, std::vector<gw_box> &out) override {
        cv::Mat img = frame;
        if (scaleWidth > 0 && frame.cols != scaleWidth) {
            int h = std::max(1, (int)std::lround((double)frame.rows * scaleWidth / frame.cols));
            cv::resize(frame, img, cv::Size(scaleWidth, h), 0, 0, scaleWidth < frame.cols ? cv::INTER_AREA : cv::INTER_LINEAR);
        }
        std::vector<cv::Rect> found;
        std::vector<double> weights;
        hog.detectMultiScale(img, found, weights, hitThreshold, cv::Size(8, 8), cv::Size(8, 8), 1.05, 2.0, false);
        for (size_t i = 0; i < found.size(); i++) {
            // SVM margin -> 0..1 (margin 0 = 0.5) so one score threshold works for every detector.
            double w = i < weights.size() ? weights[i] : 0;
            float score = (float)(1.0 / (1.0 + std::exp(-2.0 * w)));
            if (score < minScore) continue;
            // The default detector's window has ~10% margin around the person each side.
            cv::Rect2f r = found[i];
            r.x += r.width * 0.1f; r.width *= 0.8f;
            r.y += r.height * 0.05f; r.height *= 0.9f;
            out.push_back(normBox(r, (float)img.cols, (float)img.rows, score));
        }
    }
};

struct MotionBlobDetector : gw_detector {
    cv::Ptr<cv::BackgroundSubtractorMOG2> mog;
    int workWidth = 320;
    double minArea = 0.002, maxArea = 0.25, personWidth = 0;
    cv::Mat small, mask;
    // Recent blob sizes (work-image pixels). Most blobs are one person, so their median
    // is a person's size; a blob much wider or taller is people side by side or in a row.
    std::vector<float> recentW, recentH;
    size_t next = 0;
    static constexpr size_t kKeep = 240, kMinSamples = 30;

    static float median(std::vector<float> v) {
        std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
        return v[v.size() / 2];
    }
    void remember(const cv::Rect &r) {
        if (recentW.size() < kKeep) { recentW.push_back((float)r.width); recentH.push_back((float)r.height); }
        else { recentW[next] = (float)r.width; recentH[next] = (float)r.height; next = (next + 1) % kKeep; }
    }

    /// Boxes around each core of a merged blob; false when it has only one core.
    bool splitByCores(const cv::Rect &r, float score, float fw, float fh, float personArea, std::vector<gw_box> &out) {
        cv::Mat roi = mask(r).clone(), dist, cores, labels, stats, centroids;
        cv::distanceTransform(roi, dist, cv::DIST_L2, 3);
        double maxVal = 0;
        cv::minMaxLoc(dist, nullptr, &maxVal);
        if (maxVal < 2) return false;
        cv::threshold(dist, cores, 0.6 * maxVal, 255, cv::THRESH_BINARY);
        cores.convertTo(cores, CV_8U);
        int n = cv::connectedComponentsWithStats(cores, labels, stats, centroids);
        if (n - 1 < 2) return false;
        // Specks of the core are noise, not people; and a blob holds no more people than its area allows.
        int largest = 0;
        for (int i = 1; i < n; i++) largest = std::max(largest, stats.at<int>(i, cv::CC_STAT_AREA));
        std::vector<int> keep;
        for (int i = 1; i < n; i++) if (stats.at<int>(i, cv::CC_STAT_AREA) * 4 >= largest) keep.push_back(i);
        int room = std::max(2, (int)std::lround((double)r.area() / std::max(1.0, (double)personArea)));
        if (keep.size() < 2 || (int)keep.size() > room) return false;
        float grow = (float)(0.4 * maxVal + 1);
        for (int i : keep) {
            cv::Rect2f part((float)(r.x + stats.at<int>(i, cv::CC_STAT_LEFT)) - grow,
                            (float)(r.y + stats.at<int>(i, cv::CC_STAT_TOP)) - grow,
                            (float)stats.at<int>(i, cv::CC_STAT_WIDTH) + 2 * grow,
                            (float)stats.at<int>(i, cv::CC_STAT_HEIGHT) + 2 * grow);
            part &= cv::Rect2f((float)r.x, (float)r.y, (float)r.width, (float)r.height);
            if (part.area() > 0) out.push_back(normBox(part, fw, fh, score));
        }
        return true;
    }

    void detect(const cv::Mat &frame, float minScore, std::vector<gw_box> &out) override {
        int h = std::max(1, (int)std::lround((double)frame.rows * workWidth / frame.cols));
        cv::resize(frame, small, cv::Size(workWidth, h), 0, 0, cv::INTER_AREA);
        mog->apply(small, mask);
        // Shadows are marked 127: keep only confident foreground.
        cv::threshold(mask, mask, 200, 255, cv::THRESH_BINARY);
        cv::morphologyEx(mask, mask, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(3, 3)));
        cv::morphologyEx(mask, mask, cv::MORPH_CLOSE, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(9, 9)));
        std::vector<std::vector<cv::Point>> contours;
        cv::findContours(mask, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
        const double total = (double)mask.total();
        const float fw = (float)mask.cols, fh = (float)mask.rows;
        // A person's size: configured width, else learned from recent blobs.
        float pw = 0, ph = 0;
        if (personWidth > 0) pw = (float)(personWidth * fw);
        else if (recentW.size() >= kMinSamples) { pw = median(recentW); ph = median(recentH); }
        for (auto &c : contours) {
            cv::Rect r = cv::boundingRect(c);
            double area = (double)r.area() / total;
            if (area < minArea || area > maxArea) continue;
            double fill = (double)cv::countNonZero(mask(r)) / std::max(1, r.area());
            float score = (float)std::min(1.0, 0.5 + fill / 2);
            if (score < minScore) continue;
            remember(r);
            // People touching (side by side, or one behind the other) make one blob with a
            // waist: the cores of the distance transform come apart where the bodies are.
            if (pw > 0 && ph > 0 && (double)r.area() > 1.4 * pw * ph && splitByCores(r, score, fw, fh, pw * ph, out)) continue;
            int cols = 1, rows = 1;
            // People differ in size by up to ~1.6x: a blob without a waist is split only when it
            // is clearly wider (taller) than one large person, into parts of a large person's size.
            if (pw > 0 && r.width > 1.8f * pw) cols = std::max(2, (int)std::lround(r.width / (1.15f * pw)));
            if (ph > 0 && r.height > 1.8f * ph) rows = std::max(2, (int)std::lround(r.height / (1.15f * ph)));
            for (int y = 0; y < rows; y++) {
                for (int x = 0; x < cols; x++) {
                    cv::Rect2f part((float)r.x + (float)r.width * x / cols, (float)r.y + (float)r.height * y / rows,
                                    (float)r.width / cols, (float)r.height / rows);
                    out.push_back(normBox(part, fw, fh, score));
                }
            }
        }
    }
};

} // namespace

extern "C" gw_detector *gw_ssd_new(const char *pb_path, const char *pbtxt_path, int class_id,
                                   char *err, int errlen) {
    if (!fileExists(pb_path)) {
        setError(err, errlen, std::string("model file not found: ") + pb_path + " (run scripts/setup to install the person model)");
        return nullptr;
    }
    if (!fileExists(pbtxt_path)) { setError(err, errlen, std::string("model text graph not found: ") + pbtxt_path); return nullptr; }
    try {
        auto d = std::make_unique<SSDDetector>();
        d->net = cv::dnn::readNetFromTensorflow(pb_path, pbtxt_path);
        if (d->net.empty()) {
            setError(err, errlen, std::string("cannot load person model ") + pb_path);
            return nullptr;
        }
        d->net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
        d->net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
        d->classId = class_id;
        return d.release();
    } catch (const cv::Exception &e) {
        std::string why = cvReason(e);
        if (why.find("parse") != std::string::npos || why.find("Parse") != std::string::npos)
            why = "damaged, or not the TensorFlow graph and text graph of the person model";
        setError(err, errlen, std::string("cannot load person model ") + pb_path + ": " + why +
                 " (reinstall frozen_inference_graph.pb and ssdlite-person.pbtxt)");
        return nullptr;
    }
}

extern "C" gw_detector *gw_hog_new(int scale_width, double hit_threshold) {
    auto *d = new HOGDetector();
    d->hog.setSVMDetector(cv::HOGDescriptor::getDefaultPeopleDetector());
    d->scaleWidth = scale_width;
    d->hitThreshold = hit_threshold;
    return d;
}

extern "C" gw_detector *gw_motion_blob_new(int work_width, double min_area, double max_area,
                                           double person_width, int history, double var_threshold) {
    auto *d = new MotionBlobDetector();
    d->workWidth = work_width > 16 ? work_width : 320;
    d->minArea = min_area > 0 ? min_area : 0.002;
    d->maxArea = max_area > 0 ? max_area : 0.25;
    d->personWidth = person_width;
    d->mog = cv::createBackgroundSubtractorMOG2(history > 0 ? history : 500, var_threshold > 0 ? var_threshold : 16, true);
    return d;
}

extern "C" int gw_detector_detect(gw_detector *d, const gw_frame *frame, float min_score,
                                  gw_box *out, int max_boxes, char *err, int errlen) {
    try {
        std::vector<gw_box> boxes;
        d->detect(frame->mat, min_score, boxes);
        int n = std::min((int)boxes.size(), max_boxes);
        for (int i = 0; i < n; i++) out[i] = boxes[(size_t)i];
        return n;
    } catch (const cv::Exception &e) {
        setError(err, errlen, "detector failed: " + cvReason(e));
        return -1;
    } catch (const std::exception &e) {
        setError(err, errlen, std::string("detector failed: ") + e.what());
        return -1;
    }
}
extern "C" void gw_detector_free(gw_detector *d) { delete d; }
