#include "ConfigReader.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <algorithm>

namespace sm {

QString ConfigReader::typeName(const YAML::Node &node) {
    switch (node.Type()) {
    case YAML::NodeType::Map:
        return QStringLiteral("a mapping");
    case YAML::NodeType::Sequence:
        return QStringLiteral("a list");
    case YAML::NodeType::Scalar:
        return QStringLiteral("a scalar");
    case YAML::NodeType::Null:
        return QStringLiteral("empty");
    case YAML::NodeType::Undefined:
        break;
    }
    return QStringLiteral("missing");
}

void ConfigReader::fail(const YAML::Mark &mark, const QString &message) const {
    ConfigError e;
    e.file = m_file;
    if (!mark.is_null()) {
        e.line = mark.line + 1;
        e.column = mark.column + 1;
    }
    e.message = message;
    throw e;
}

QString ConfigReader::pathBeside(const QString &name) const {
    return QDir(QFileInfo(m_file).absolutePath()).absoluteFilePath(name);
}

ConfigError ConfigReader::yamlError(const YAML::Exception &e, const QString &file) {
    ConfigError error;
    error.file = file;
    if (!e.mark.is_null()) {
        error.line = e.mark.line + 1;
        error.column = e.mark.column + 1;
    }
    error.message = QString::fromStdString(e.msg);
    return error;
}

std::optional<ConfigError> ConfigReader::readFile(const QString &path, const QString &what,
                                                  QByteArray *text) {
    constexpr qint64 kMax = 4 * 1024 * 1024;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return ConfigError{path, 0, 0,
                           QStringLiteral("cannot read %1: %2").arg(what, file.errorString())};
    *text = file.read(kMax + 1);
    if (text->size() > kMax)
        return ConfigError{path, 0, 0, QStringLiteral("%1 is larger than 4 MiB").arg(what)};
    return std::nullopt;
}

void ConfigReader::warn(const YAML::Mark &mark, const QString &message) {
    m_warnings.append(
        {mark.line, QStringLiteral("%1:%2: %3").arg(m_file).arg(mark.line + 1).arg(message)});
}

QStringList ConfigReader::takeWarnings() {
    std::stable_sort(m_warnings.begin(), m_warnings.end(),
                     [](const auto &a, const auto &b) { return a.first < b.first; });
    QStringList out;
    for (const auto &w : std::exchange(m_warnings, {}))
        out.append(w.second);
    return out;
}

void ConfigReader::expectMap(const YAML::Node &node, const QString &what) const {
    if (!node.IsMap())
        fail(node.Mark(), QStringLiteral("%1 must be a mapping, not %2").arg(what, typeName(node)));
}

void ConfigReader::expectList(const YAML::Node &node, const QString &what) const {
    if (!node.IsSequence())
        fail(node.Mark(), QStringLiteral("%1 must be a list, not %2").arg(what, typeName(node)));
}

void ConfigReader::checkKeys(const YAML::Node &map, std::initializer_list<const char *> known,
                             const QString &where) {
    for (auto it = map.begin(); it != map.end(); ++it) {
        const QString key =
            it->first.IsScalar() ? QString::fromStdString(it->first.Scalar()) : QStringLiteral("?");
        bool found = false;
        for (const char *k : known)
            found = found || key == QLatin1String(k);
        if (!found)
            warn(it->first.Mark(),
                 QStringLiteral("unknown key '%1' in %2 (ignored)").arg(key, where));
    }
}

std::optional<YAML::Node> ConfigReader::child(const YAML::Node &map, const char *key) {
    const YAML::Node &constMap = map; // operator[] on a const node never inserts
    const YAML::Node node = constMap[key];
    if (!node.IsDefined() || node.IsNull())
        return std::nullopt;
    return node;
}

QString ConfigReader::string(const YAML::Node &node, const QString &what) const {
    if (!node.IsScalar())
        fail(node.Mark(), QStringLiteral("%1 must be a string, not %2").arg(what, typeName(node)));
    return QString::fromStdString(node.Scalar());
}

qint64 ConfigReader::integer(const YAML::Node &node, const QString &what, qint64 min,
                             qint64 max) const {
    bool ok = false;
    const qint64 value =
        node.IsScalar() ? QString::fromStdString(node.Scalar()).toLongLong(&ok) : 0;
    if (!ok)
        fail(node.Mark(), QStringLiteral("%1 must be an integer").arg(what));
    if (value < min || value > max)
        fail(node.Mark(),
             QStringLiteral("%1 must be between %2 and %3").arg(what).arg(min).arg(max));
    return value;
}

bool ConfigReader::boolean(const YAML::Node &node, const QString &what) const {
    // YAML 1.2's core schema: true/false in any of these spellings, nothing else (no yes/no).
    const QString text = node.IsScalar() ? QString::fromStdString(node.Scalar()) : QString();
    if (text == u"true" || text == u"True" || text == u"TRUE")
        return true;
    if (text == u"false" || text == u"False" || text == u"FALSE")
        return false;
    fail(node.Mark(), QStringLiteral("%1 must be true or false").arg(what));
}

QStringList ConfigReader::stringList(const YAML::Node &node, const QString &what) const {
    expectList(node, what);
    QStringList out;
    for (std::size_t i = 0; i < node.size(); ++i)
        out.append(string(node[i], QStringLiteral("%1[%2]").arg(what).arg(i)));
    return out;
}

QString ConfigReader::requiredString(const YAML::Node &map, const char *key,
                                     const QString &where) const {
    const auto node = child(map, key);
    if (!node)
        fail(map.Mark(), QStringLiteral("%1 has no '%2'").arg(where, QLatin1String(key)));
    const QString value = string(*node, QStringLiteral("%1.%2").arg(where, QLatin1String(key)));
    if (value.trimmed().isEmpty())
        fail(node->Mark(),
             QStringLiteral("%1.%2 must not be empty").arg(where, QLatin1String(key)));
    return value;
}

} // namespace sm
