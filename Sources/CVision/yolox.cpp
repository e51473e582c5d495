// YOLOX-Nano behind the gw_detector interface (cvision_yolox.h). The model's raw head
// output is decoded here: grid offsets and strides for the centre, exp() for the size,
// objectness x person score, then NMS and the letterbox undone.
#include "detector_internal.hpp"
#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/core/utils/logger.hpp>
#include <algorithm>
#include <cmath>
#include <memory>
#include <stdexcept>

namespace {

constexpr int kInputSize = 416;  // the longer side of the model's input
constexpr int kStrides[] = {8, 16, 32};
constexpr int kValues = 85;      // cx, cy, w, h, objectness, 80 COCO class scores
constexpr int kPersonClass = 0;
constexpr float kPadValue = 114;

int roundUpToStride(int n) { return (n + 31) / 32 * 32; }

struct YOLOXDetector : gw_detector {
    cv::dnn::Net net;
    float nmsThreshold = 0.45f;
    cv::Mat canvas, blob;

    void detect(const cv::Mat &frame, float minScore, std::vector<gw_box> &out) override {
        const float ratio = letterbox(frame);
        cv::dnn::blobFromImage(canvas, blob, 1.0, cv::Size(), cv::Scalar(), false, false, CV_32F);
        net.setInput(blob);
        cv::Mat res = net.forward();
        checkShape(res);
        decode(res.ptr<float>(), ratio, minScore, (float)frame.cols, (float)frame.rows, out);
    }

    /// Scales the frame so its longer side is 416 and puts it in the top-left of a grey
    /// canvas; returns the scale (model pixels per frame pixel). The network is fully
    /// convolutional, so the canvas's shorter side is only rounded up to the largest stride
    /// (768x576 -> 416x320, not 416x416: a quarter less work, the same boxes).
    float letterbox(const cv::Mat &frame) {
        const float ratio = std::min((float)kInputSize / frame.cols, (float)kInputSize / frame.rows);
        const int w = std::max(1, (int)std::lround(frame.cols * ratio));
        const int h = std::max(1, (int)std::lround(frame.rows * ratio));
        canvas.create(roundUpToStride(h), roundUpToStride(w), CV_8UC3);
        canvas.setTo(cv::Scalar::all(kPadValue));
        cv::resize(frame, canvas(cv::Rect(0, 0, w, h)), cv::Size(w, h), 0, 0, cv::INTER_LINEAR);
        return ratio;
    }

    /// One row per grid cell of each stride, 85 values a row: YOLOX's head, nothing else.
    void checkShape(const cv::Mat &res) const {
        int anchors = 0;
        for (int stride : kStrides) anchors += (canvas.cols / stride) * (canvas.rows / stride);
        if (res.dims != 3 || res.size[1] != anchors || res.size[2] != kValues)
            throw std::runtime_error("output is not YOLOX's grid of 85 values (not the YOLOX-Nano model)");
    }

    /// Person boxes from the raw head output, NMS-merged, normalised to the frame.
    void decode(const float *rows, float ratio, float minScore, float frameW, float frameH,
                std::vector<gw_box> &out) const {
        std::vector<cv::Rect2d> boxes;
        std::vector<float> scores;
        int anchor = 0;
        for (int stride : kStrides) {
            const int cellsX = canvas.cols / stride, cellsY = canvas.rows / stride;
            for (int gy = 0; gy < cellsY; gy++) {
                for (int gx = 0; gx < cellsX; gx++, anchor++) {
                    const float *r = rows + (size_t)anchor * kValues;
                    const float score = r[4] * r[5 + kPersonClass];
                    if (score < minScore) continue;
                    const float cx = (r[0] + gx) * stride, cy = (r[1] + gy) * stride;
                    const float w = std::exp(r[2]) * stride, h = std::exp(r[3]) * stride;
                    boxes.emplace_back((cx - w / 2) / ratio, (cy - h / 2) / ratio, w / ratio, h / ratio);
                    scores.push_back(score);
                }
            }
        }
        std::vector<int> keep;
        cv::dnn::NMSBoxes(boxes, scores, minScore, nmsThreshold, keep);
        for (int i : keep) {
            const cv::Rect2d &b = boxes[(size_t)i];
            const float x0 = std::clamp((float)b.x / frameW, 0.f, 1.f), y0 = std::clamp((float)b.y / frameH, 0.f, 1.f);
            const float x1 = std::clamp((float)(b.x + b.width) / frameW, 0.f, 1.f);
            const float y1 = std::clamp((float)(b.y + b.height) / frameH, 0.f, 1.f);
            if (x1 > x0 && y1 > y0) out.push_back(gw_box{x0, y0, x1 - x0, y1 - y0, scores[(size_t)i]});
        }
    }
};

/// Reads the ONNX file with OpenCV's own error logging silenced: a damaged file must give
/// the caller one line, not OpenCV's multi-line report on stderr.
cv::dnn::Net readQuietly(const char *path) {
    namespace logging = cv::utils::logging;
    const auto level = logging::getLogLevel();
    logging::setLogLevel(logging::LOG_LEVEL_SILENT);
    try {
        cv::dnn::Net net = cv::dnn::readNetFromONNX(path);
        logging::setLogLevel(level);
        return net;
    } catch (...) {
        logging::setLogLevel(level);
        throw;
    }
}

const char *kReinstall = " (reinstall yolox-nano.onnx with scripts/setup)";

} // namespace

extern "C" gw_detector *gw_yolox_new(const char *onnx_path, float nms_threshold, char *err, int errlen) {
    const std::string what = std::string("YOLOX-Nano person model ") + onnx_path;
    if (!gw::fileExists(onnx_path)) { gw::setError(err, errlen, what + ": file not found" + kReinstall); return nullptr; }
    auto d = std::make_unique<YOLOXDetector>();
    try {
        d->net = readQuietly(onnx_path);
    } catch (const cv::Exception &) {
        // OpenCV's reason names a protobuf/graph internal; what the user needs is the file's state.
        gw::setError(err, errlen, what + ": damaged (truncated?), or not an ONNX model" + kReinstall);
        return nullptr;
    }
    try {
        if (d->net.empty()) throw std::runtime_error("cannot be loaded");
        d->net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
        d->net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
        if (nms_threshold > 0) d->nmsThreshold = nms_threshold;
        std::vector<gw_box> none;
        d->detect(cv::Mat(kInputSize, kInputSize, CV_8UC3, cv::Scalar::all(kPadValue)), 1.1f, none);
        return d.release();
    } catch (const cv::Exception &e) {
        gw::setError(err, errlen, what + ": not the YOLOX-Nano model (" + gw::cvReason(e) + ")" + kReinstall);
    } catch (const std::exception &e) {
        gw::setError(err, errlen, what + ": " + e.what() + kReinstall);
    }
    return nullptr;
}
