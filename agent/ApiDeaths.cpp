#include "Api.h"

#include "Json.h"

namespace agent {

Response Api::deaths(const std::string &name) const {
    std::vector<Death> deaths;
    switch (m_services.readDeaths(name, deaths)) {
    case Services::DeathsRead::Ok:
        break;
    case Services::DeathsRead::Malformed:
        return errorResponse(500, "The death tally of " + name + " (" +
                                      m_services.serviceDir(name) +
                                      "/supervise/death_tally) is malformed.");
    case Services::DeathsRead::Unreadable:
        return errorResponse(500, "The death tally of " + name + " (" +
                                      m_services.serviceDir(name) +
                                      "/supervise/death_tally) cannot be read.");
    }
    std::string body = "{\"service\":";
    appendJsonString(body, name);
    body += ",\"deaths\":[";
    // s6 appends each death at the end; the newest comes first here.
    for (auto it = deaths.rbegin(); it != deaths.rend(); ++it) {
        if (it != deaths.rbegin())
            body += ',';
        body += deathJson(*it);
    }
    body += "]}";
    return jsonResponse(200, std::move(body));
}

} // namespace agent
