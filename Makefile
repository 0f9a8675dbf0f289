# Top-level entry points: build, run the private stack, test, benchmark (GNU make).

PORT ?= 8080
VAR  ?= var
SEED ?= tutorial
# Several hosts (issue 16): `make run HOSTS=3 REPLICAS=2` runs three blogd masters behind one
# nginx, on a MariaDB primary and two replicas (scripts/stack.sh); 1 and 0: the single host.
HOSTS    ?= 1
REPLICAS ?= 0
# A blogd binary to run instead of building one (BLOGD_BIN=/path/to/blogd): run and start then
# skip the build (they still make sure MariaDB and nginx are installed).
BLOGD_BIN ?=
STACK_ENV = PORT=$(PORT) VAR=$(VAR) SEED=$(SEED) HOSTS=$(HOSTS) REPLICAS=$(REPLICAS) \
  $(if $(BLOGD_BIN),BLOGD_BIN=$(BLOGD_BIN))

BUILD_DIR  := build
BUILD_TYPE ?= RelWithDebInfo

# make install: where (PREFIX; SYSCONFDIR, default PREFIX/etc, /etc for PREFIX=/usr) and
# into which staging root (DESTDIR, empty: the system itself).
PREFIX     ?= /usr/local
SYSCONFDIR ?=
DESTDIR    ?=

.PHONY: all deps build install deb run start stop status test bench soak clean distclean

all: build

# What deps.sh makes sure is installed (scripts/deps.sh: build, run, deb, bench or test): `make build`
# needs only the compiler and headers, so once they are there it needs no root and writes
# nothing outside the tree; `make run`/`make start` also want MariaDB and nginx (installed
# if missing), `make bench`/`make soak` also wrk and PHP-FPM, and `make test` (scripts/test.sh)
# everything, npm modules included.
DEPS ?= build
run start: DEPS = run
deb: DEPS = deb
bench soak: DEPS = bench

deps:
	scripts/deps.sh $(DEPS)

build: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)
	cmake --build $(BUILD_DIR) -j2

# The binary, templates, static files, sql/, blogd.conf, the nginx site, the systemd units,
# the logrotate file and the docs (cmake/install.cmake), every path in them the installed one.
install: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DCMAKE_INSTALL_PREFIX=$(PREFIX) \
	  $(if $(SYSCONFDIR),-DCMAKE_INSTALL_SYSCONFDIR=$(SYSCONFDIR))
	cmake --build $(BUILD_DIR) -j2 --target blogd
	DESTDIR=$(DESTDIR) cmake --install $(BUILD_DIR)

# The Debian package (debian/, scripts/deb.sh): build/deb/blogd_<version>_<arch>.deb, built
# from a copy of the tree in build/deb/src so that the checkout stays clean.
deb: deps
	scripts/deb.sh

# Foreground: MariaDB + blogd + nginx under $(VAR), supervised (a part that stops is started
# again); Ctrl-C, or SIGTERM to make or to the script, stops all three. `exec`: the shell make
# runs the recipe in becomes the script, so make waits on it and hands it a SIGTERM (GNU make
# sends SIGTERM on to its children and waits for them; a shell in between would die of it
# and leave the script behind).
run: $(if $(BLOGD_BIN),deps,build)
	exec env $(STACK_ENV) scripts/stack.sh run

# Background variants of the same stack.
start: $(if $(BLOGD_BIN),deps,build)
	$(STACK_ENV) scripts/stack.sh start

stop:
	VAR=$(VAR) scripts/stack.sh stop

status:
	VAR=$(VAR) scripts/stack.sh status

# Builds, then runs every ctest suite against a throw-away stack.
test:
	scripts/test.sh

# The benchmark (scripts/bench.py: private stacks, wrk, the PHP-FPM peer, the markdown table;
# BENCH_* knobs) and the 1M-request memory soak (scripts/soak.py; SOAK_* knobs).
bench: deps
	python3 scripts/bench.py

soak: build
	python3 scripts/soak.py

# Build output only; the database in $(VAR) survives (see distclean).
clean:
	rm -rf $(BUILD_DIR)

# Also stops the private stack and deletes its data, logs and config.
distclean: clean
	-VAR=$(VAR) scripts/stack.sh stop
	@# VAR may be a link to the stack's directory under /var/tmp (scripts/stack.sh, relocate_var).
	if [ -L "$(VAR)" ]; then rm -rf "$$(readlink -f "$(VAR)")"; fi
	rm -rf $(VAR)
