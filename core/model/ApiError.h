#pragma once

#include <QJsonValue>
#include <QString>

#include <utility>
#include <variant>

namespace sm {

// A failure as the REST API reports it: an HTTP status, one readable sentence, optional detail.
struct ApiError {
    int status = 500;
    QString message;
    QJsonValue detail = QJsonValue::Null;
    // Set for the errors that FastAPI itself answered in the original (validation, unknown
    // route, wrong method): `detail` as JSON text, keys in FastAPI's order, and sent before
    // `error`, where those clients look. `detail` above holds the same value for code.
    QByteArray detailJson = {};

    static ApiError fastApi(int status, QString message, QJsonValue detail, QByteArray json) {
        return {status, std::move(message), std::move(detail), std::move(json)};
    }

    static ApiError badRequest(QString message, QJsonValue detail = {}) {
        return {400, std::move(message), std::move(detail)};
    }
    static ApiError notFound(QString message) {
        return {404, std::move(message), QJsonValue::Null};
    }
    static ApiError unprocessable(QString message, QJsonValue detail = {}) {
        return {422, std::move(message), std::move(detail)};
    }
    static ApiError unavailable(QString message) {
        return {503, std::move(message), QJsonValue::Null};
    }
    static ApiError badGateway(QString message) {
        return {502, std::move(message), QJsonValue::Null};
    }
    static ApiError timeout(QString message) { return {504, std::move(message), QJsonValue::Null}; }
    static ApiError unauthenticated(QString message) {
        return {401, std::move(message), QJsonValue::Null};
    }
    static ApiError forbidden(QString message) {
        return {403, std::move(message), QJsonValue::Null};
    }
    static ApiError conflict(QString message) {
        return {409, std::move(message), QJsonValue::Null};
    }
    static ApiError tooLarge(QString message) {
        return {413, std::move(message), QJsonValue::Null};
    }
    static ApiError internal(QString message) {
        return {500, std::move(message), QJsonValue::Null};
    }
    static ApiError notImplemented(QString message) {
        return {501, std::move(message), QJsonValue::Null};
    }
    // A clean end of a stream: no error at all.
    static ApiError none() { return {0, {}, QJsonValue::Null}; }
};

// Either a value or the ApiError that prevented it.
template <typename T> class Result {
public:
    Result(T value)
        : m_data(std::in_place_index<0>, std::move(value)) {}
    Result(ApiError error)
        : m_data(std::in_place_index<1>, std::move(error)) {}

    bool ok() const { return m_data.index() == 0; }
    const T &value() const { return std::get<0>(m_data); }
    T &value() { return std::get<0>(m_data); }
    const ApiError &error() const { return std::get<1>(m_data); }

private:
    std::variant<T, ApiError> m_data;
};

// The value of an operation that only succeeds or fails.
struct Done {};

} // namespace sm
