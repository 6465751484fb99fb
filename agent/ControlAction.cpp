#include "ControlAction.h"

namespace agent {

bool isControlAction(std::string_view action) {
    return action == "up" || action == "down" || action == "restart";
}

} // namespace agent
