/* routerctl: sends one command to routerd's control socket and prints the reply. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "routerd/ctl/ctl.h"

#define REPLY_TIMEOUT_MS 30000

static void usage(void)
{
	fprintf(stderr, "usage: routerctl [-s SOCKET] COMMAND... [json]   (try: routerctl help)\n");
}

static int connect_socket(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "routerctl: socket path too long: %s\n", path);
		return -1;
	}
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		fprintf(stderr, "routerctl: cannot reach routerd at %s: %s\n", path,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int send_request(int fd, int argc, char **argv)
{
	char line[CTL_MAX_REQUEST];
	size_t len = 0;

	for (int i = 0; i < argc; i++) {
		int n = snprintf(line + len, sizeof(line) - len, "%s%s", i ? " " : "", argv[i]);

		if (n < 0 || (size_t)n >= sizeof(line) - len - 1) {
			fprintf(stderr, "routerctl: command too long\n");
			return -1;
		}
		len += (size_t)n;
	}
	line[len++] = '\n';
	if (write(fd, line, len) != (ssize_t)len) {
		fprintf(stderr, "routerctl: write failed: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

/* Copies the reply to stdout (stderr on error); returns the status byte as exit code. */
static int read_reply(int fd)
{
	char chunk[65536];
	int status = -1;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	for (;;) {
		ssize_t n;
		char *p = chunk;

		if (poll(&pfd, 1, REPLY_TIMEOUT_MS) <= 0) {
			fprintf(stderr, "routerctl: no reply from routerd within %d s\n",
				REPLY_TIMEOUT_MS / 1000);
			return 1;
		}
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (status < 0) {
			status = chunk[0] == '0' ? 0 : 1;
			p++;
			n--;
		}
		fwrite(p, 1, (size_t)n, status ? stderr : stdout);
	}
	if (status < 0) {
		fprintf(stderr, "routerctl: routerd closed the connection without a reply\n");
		return 1;
	}
	return status;
}

int main(int argc, char **argv)
{
	const char *path = CTL_DEFAULT_SOCKET;
	int first = 1, fd, rc;

	if (argc > 2 && strcmp(argv[1], "-s") == 0) {
		path = argv[2];
		first = 3;
	}
	if (first >= argc) {
		usage();
		return 2;
	}
	fd = connect_socket(path);
	if (fd < 0)
		return 1;
	if (send_request(fd, argc - first, argv + first) < 0) {
		close(fd);
		return 1;
	}
	rc = read_reply(fd);
	close(fd);
	return rc;
}
