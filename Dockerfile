# system-managerd in a container: build stage, then a slim Debian 12 image holding only the
# daemon and its runtime libraries, running as a non-root user.
FROM debian:12 AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake ninja-build qt6-base-dev qt6-httpserver-dev qt6-websockets-dev \
      libyaml-cpp-dev libhttp-parser-dev prometheus-cpp-dev nodejs npm ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN if [ -f resources/docs/package.json ]; then (cd resources/docs && npm ci --no-audit --no-fund); fi \
 && cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DSM_BUILD_GUI=OFF -DSM_BUILD_TESTS=OFF -DSM_WERROR=OFF \
 && cmake --build /build \
 && DESTDIR=/install cmake --install /build --prefix /usr --component daemon \
 && DESTDIR=/install cmake --install /build --prefix /usr --component agent

FROM debian:12-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libqt6core6 libqt6network6 libqt6httpserver6 libqt6websockets6 \
      libqt6sql6 libqt6sql6-sqlite libyaml-cpp0.7 libhttp-parser2.9 libprometheus-cpp-core1.0 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --user-group --no-create-home --shell /usr/sbin/nologin system-manager \
 && install -d -o system-manager -g system-manager /var/lib/system-manager
COPY --from=build /install/usr/bin/system-managerd /usr/bin/system-managerd
COPY --from=build /install/usr/share/system-manager /usr/share/system-manager
COPY config.yml /app/config.yml
ENV CONFIG_FILE=/app/config.yml
# The history store (state.dir in config.yml): mount a volume here to keep it across containers.
VOLUME /var/lib/system-manager
USER system-manager
EXPOSE 8081
ENTRYPOINT ["/usr/bin/system-managerd"]
