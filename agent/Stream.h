#pragma once

#include <cstddef>
#include <functional>
#include <string>

namespace agent {

// The body of a streamed answer (a log follow, /events): the server pulls bytes
// with read() whenever the client has taken what went before, and the stream
// calls the wake function it was given when it has something new. No stream is
// polled: an idle one costs nothing.
class Stream {
public:
    using Wake = std::function<void()>;

    virtual ~Stream() = default;

    // Called once by the server when the stream starts; `wake` may be called
    // any time later from the loop (the server defers its work to a post).
    virtual void start(Wake wake) = 0;
    // Called once when the connection goes; no wake() after this.
    virtual void stop() = 0;
    // New body bytes, at most about `maxBytes`; empty when there are none.
    virtual std::string read(size_t maxBytes) = 0;
    // The stream gave up on its client (it fell too far behind): close it.
    virtual bool dropped() const { return false; }
};

} // namespace agent
