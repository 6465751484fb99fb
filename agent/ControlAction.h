#pragma once

#include <string_view>

namespace agent {

// "up", "down" or "restart", exactly: what POST /services/{name} may ask.
// The twin of core's rules/Rules.h ServiceAction (the agent has no Qt);
// tests/fixtures/rules/actions.txt pins both to one table.
bool isControlAction(std::string_view action);

} // namespace agent
