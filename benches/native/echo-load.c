/*
 * The native load client of the echo benchmarks: the same two workloads and the same JSON line
 * as benches/src/net/load-client.ts, written on epoll so that it costs a fraction of what a
 * Node client costs per request. On a 2-core machine the Node client saturates its core before
 * any server does (the issue asks that the client not be the bottleneck); this one leaves the
 * server as the limit.
 *
 *   echo-load reqresp PORT CONNECTIONS SIZE DURATION_MS WARMUP_MS
 *   echo-load bulk PORT BYTES
 *
 * reqresp: CONNECTIONS sockets each send SIZE bytes, wait for the whole echo, record the round
 * trip and send again; after WARMUP_MS, count for DURATION_MS. bulk: one socket writes BYTES in
 * 64 KiB chunks while reading the echo back; the time runs from the first write to the last
 * echoed byte. Built by benches/src/net/main.ts with `cc -O2` when a C compiler is there.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double cpu_seconds(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void die(const char *what) {
  fprintf(stderr, "echo-load: %s: %s\n", what, strerror(errno));
  exit(1);
}

/* A blocking connect to 127.0.0.1:port, then non-blocking with TCP_NODELAY. */
static int open_socket(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) die("socket");
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) die("connect");
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) die("fcntl");
  return fd;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double percentile(const double *sorted, size_t n, double p) {
  if (n == 0) return 0;
  size_t i = (size_t)(p / 100 * n);
  return sorted[i < n ? i : n - 1];
}

struct conn {
  int fd;
  size_t got;   /* bytes of the current echo received */
  double sent;  /* when the current request went out */
};

static int reqresp(int port, int connections, size_t size, double duration, double warmup) {
  struct conn *conns = calloc(connections, sizeof *conns);
  char *request = malloc(size);
  char buf[65536];
  memset(request, 'x', size);
  int ep = epoll_create1(0);
  if (ep < 0) die("epoll_create1");
  for (int i = 0; i < connections; i++) {
    conns[i].fd = open_socket(port);
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &ev) < 0) die("epoll_ctl");
  }
  size_t cap = 1 << 20, count = 0;
  double *latencies = malloc(cap * sizeof *latencies);
  double start = now_ms();
  for (int i = 0; i < connections; i++) {
    conns[i].sent = now_ms();
    if (write(conns[i].fd, request, size) != (ssize_t)size) die("write");
  }
  double measure_from = start + warmup, measure_to = measure_from + duration;
  double cpu0 = 0;
  int measuring = 0;
  struct epoll_event events[256];
  for (;;) {
    int n = epoll_wait(ep, events, 256, 100);
    if (n < 0 && errno != EINTR) die("epoll_wait");
    double t = now_ms();
    if (!measuring && t >= measure_from) {
      measuring = 1;
      cpu0 = cpu_seconds();
      measure_from = t;
    }
    if (measuring && t >= measure_to) break;
    for (int k = 0; k < n; k++) {
      struct conn *c = &conns[events[k].data.u32];
      ssize_t r = read(c->fd, buf, sizeof buf);
      if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (r <= 0) die("read (the server closed the connection)");
      c->got += (size_t)r;
      while (c->got >= size) {
        c->got -= size;
        double done = now_ms();
        if (measuring) {
          if (count == cap) latencies = realloc(latencies, (cap *= 2) * sizeof *latencies);
          latencies[count++] = done - c->sent;
        }
        c->sent = done;
        if (write(c->fd, request, size) != (ssize_t)size) die("write");
      }
    }
  }
  double seconds = (now_ms() - measure_from) / 1e3;
  double cpu = cpu_seconds() - cpu0;
  for (int i = 0; i < connections; i++) close(conns[i].fd);
  qsort(latencies, count, sizeof *latencies, cmp_double);
  printf("{\"mode\":\"reqresp\",\"requests\":%zu,\"bytes\":%zu,\"seconds\":%.6f,\"perSecond\":%.3f,"
         "\"mbPerSecond\":%.6f,\"p50\":%.6f,\"p99\":%.6f,\"max\":%.6f,\"clientCpu\":%.6f}\n",
         count, count * size, seconds, count / seconds, count * size / seconds / 1e6, percentile(latencies, count, 50),
         percentile(latencies, count, 99), count ? latencies[count - 1] : 0.0, cpu / seconds);
  return 0;
}

static int bulk(int port, size_t total) {
  static char out[65536], in[65536];
  memset(out, 'y', sizeof out);
  int fd = open_socket(port);
  int ep = epoll_create1(0);
  if (ep < 0) die("epoll_create1");
  struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.u32 = 0};
  if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) die("epoll_ctl");
  size_t sent = 0, received = 0;
  double t0 = now_ms(), cpu0 = cpu_seconds();
  int writing = 1;
  while (received < total) {
    struct epoll_event events[1];
    int n = epoll_wait(ep, events, 1, 1000);
    if (n < 0 && errno != EINTR) die("epoll_wait");
    if (n <= 0) continue;
    if (events[0].events & EPOLLIN) {
      for (;;) {
        ssize_t r = read(fd, in, sizeof in);
        if (r < 0 && (errno == EAGAIN || errno == EINTR)) break;
        if (r <= 0) die("read (the server closed the connection)");
        received += (size_t)r;
      }
    }
    if (writing && (events[0].events & EPOLLOUT)) {
      while (sent < total) {
        size_t chunk = total - sent < sizeof out ? total - sent : sizeof out;
        ssize_t w = write(fd, out, chunk);
        if (w < 0 && (errno == EAGAIN || errno == EINTR)) break;
        if (w < 0) die("write");
        sent += (size_t)w;
      }
      if (sent == total) {
        writing = 0;
        ev.events = EPOLLIN;
        epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
      }
    }
  }
  double seconds = (now_ms() - t0) / 1e3;
  double cpu = cpu_seconds() - cpu0;
  close(fd);
  printf("{\"mode\":\"bulk\",\"requests\":0,\"bytes\":%zu,\"seconds\":%.6f,\"perSecond\":null,\"mbPerSecond\":%.6f,"
         "\"p50\":null,\"p99\":null,\"max\":null,\"clientCpu\":%.6f}\n",
         received, seconds, received / seconds / 1e6, cpu / seconds);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 7 && strcmp(argv[1], "reqresp") == 0) {
    return reqresp(atoi(argv[2]), atoi(argv[3]), (size_t)atol(argv[4]), atof(argv[5]), atof(argv[6]));
  }
  if (argc == 4 && strcmp(argv[1], "bulk") == 0) return bulk(atoi(argv[2]), (size_t)atoll(argv[3]));
  fprintf(stderr, "usage: echo-load reqresp PORT CONNECTIONS SIZE DURATION_MS WARMUP_MS | bulk PORT BYTES\n");
  return 2;
}
