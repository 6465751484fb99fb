#pragma once

#include "config/SystemConfig.h"

#include <yaml-cpp/yaml.h>

#include <initializer_list>

namespace sm {

// Typed access to YAML nodes that fails with the node's file, line and column, and warns
// about keys nobody reads. Internal to core/config: errors travel as thrown ConfigError.
class ConfigReader final {
public:
    explicit ConfigReader(QString fileName)
        : m_file(std::move(fileName)) {}

    [[noreturn]] void fail(const YAML::Mark &mark, const QString &message) const;
    void warn(const YAML::Mark &mark, const QString &message);
    // In file order, whatever order the sections were read in.
    QStringList takeWarnings();

    void expectMap(const YAML::Node &node, const QString &what) const;
    void expectList(const YAML::Node &node, const QString &what) const;
    // Warns about every key of `map` not in `known`; `where` names the map in the message.
    void checkKeys(const YAML::Node &map, std::initializer_list<const char *> known,
                   const QString &where);

    // A child of a map, or nullopt when it is absent or null.
    static std::optional<YAML::Node> child(const YAML::Node &map, const char *key);
    QString string(const YAML::Node &node, const QString &what) const;
    qint64 integer(const YAML::Node &node, const QString &what, qint64 min, qint64 max) const;
    bool boolean(const YAML::Node &node, const QString &what) const;
    QStringList stringList(const YAML::Node &node, const QString &what) const;
    // For a required key: fails at the map's position when it is missing.
    QString requiredString(const YAML::Node &map, const char *key, const QString &where) const;

    const QString &file() const { return m_file; }
    // A path named in the file: relative ones are taken from the file's directory.
    QString pathBeside(const QString &name) const;
    // A yaml-cpp parse error as a ConfigError at its position.
    static ConfigError yamlError(const YAML::Exception &e, const QString &file);
    // Reads a config-sized file (at most 4 MiB: a huge file is a mistake, not a config);
    // `what` names it in the error.
    static std::optional<ConfigError> readFile(const QString &path, const QString &what,
                                               QByteArray *text);
    // "a mapping", "a list", ... for messages.
    static QString typeName(const YAML::Node &node);

private:
    QString m_file;
    QList<QPair<int, QString>> m_warnings; // line, text
};

} // namespace sm
