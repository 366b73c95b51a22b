/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "driver.h"

int rt_pipes_open(rt_child_fds *ret_child, rt_launch *ret_launch, bench_error **err) {
        int out[2] = {-1, -1}, in[2] = {-1, -1}, errp[2] = {-1, -1};
        if (pipe2(out, O_CLOEXEC) < 0 || pipe2(in, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
                int e = errno;
                for (int i = 0; i < 2; i++) {
                        closep(&out[i]);
                        closep(&in[i]);
                        closep(&errp[i]);
                }
                return bench_error_errno(err, e, "cannot create the agent's pipes");
        }
        *ret_child = (rt_child_fds){.in = in[0], .out = out[1], .err = errp[1]};
        *ret_launch = (rt_launch){.out_fd = out[0], .in_fd = in[1], .err_fd = errp[0]};
        return 0;
}

void rt_child_fds_close(rt_child_fds *c) {
        closep(&c->in);
        closep(&c->out);
        closep(&c->err);
        *c = (rt_child_fds){-1, -1, -1};
}

void rt_launch_close(rt_launch *l) {
        closep(&l->out_fd);
        closep(&l->in_fd);
        closep(&l->err_fd);
        *l = (rt_launch){-1, -1, -1};
}
