/* SPDX-License-Identifier: MIT */
/*
 * bench vm image: builds (or finds in the cache) the initramfs a VM
 * configuration boots, and says which kernel and modules went into it,
 * and the vmlinux the fast boot path enters through PVH (or why none).
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/cache.h"
#include "../common/cleanup.h"
#include "../common/util.h"
#include "../vm/vm.h"
#include "commands.h"

/* The fast boot path's kernel, or why this one has none. */
static void print_vmlinux(const vm_kernel *k) {
        _cleanup_free_ char *elf = NULL;
        _cleanup_error_ bench_error *why = NULL;
        const char *compression = NULL;
        bool cached = false;
        uint64_t t0 = bench_now_ns();
        if (vm_vmlinux_get(k->image, &elf, &compression, &cached, &why) == 0)
                printf("vmlinux    %s (PVH entry; from the %s payload, %s in %.1f ms): boot fast\n", elf,
                       compression, cached ? "cached, verified" : "extracted",
                       bench_ns_to_ms(bench_now_ns() - t0));
        else
                printf("vmlinux    none: %s\n           (boot auto boots this kernel the standard way; boot "
                       "fast refuses it)\n",
                       why && why->msg ? why->msg : "unknown error");
}

static int vm_image(int argc, char **argv) {
        static const struct option opts[] = {
                {"kernel", required_argument, NULL, 'k'},
                {"modules-dir", required_argument, NULL, 'm'},
                {"agent", required_argument, NULL, 'a'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        const char *kernel = NULL, *modules_dir = NULL, *agent_opt = NULL;
        int c;
        argv[0] = (char *)"bench vm image"; /* getopt's messages start with it */
        optind = 1;
        while ((c = getopt_long(argc, argv, "h", opts, NULL)) >= 0) {
                switch (c) {
                case 'k':
                        kernel = optarg;
                        break;
                case 'm':
                        modules_dir = optarg;
                        break;
                case 'a':
                        agent_opt = optarg;
                        break;
                case 'h':
                        verb_usage(stdout, &vm_cli);
                        return EXIT_OK;
                default:
                        verb_usage(stderr, &vm_cli);
                        return EXIT_BAD_INPUT;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "bench vm image: unexpected argument `%s`\n", argv[optind]);
                verb_usage(stderr, &vm_cli);
                return EXIT_BAD_INPUT;
        }
        if (modules_dir && !kernel) {
                fprintf(stderr, "bench vm image: --modules-dir needs --kernel\n");
                return EXIT_BAD_INPUT;
        }
        _cleanup_free_ char *agent = agent_opt ? strdup(agent_opt) : bench_agent_path();
        if (!agent) {
                fprintf(stderr, "bench vm image: cannot find bench-agent (use --agent)\n");
                return EXIT_FAILED;
        }
        _cleanup_error_ bench_error *err = NULL;
        vm_kernel k = {0};
        if (vm_kernel_find(kernel, modules_dir, &k, &err) < 0) {
                fprintf(stderr, "bench vm image: %s\n", err->msg);
                return EXIT_FAILED;
        }
        printf("kernel     %s (%s%s%s)\n", k.image, k.source, k.release ? ", release " : "",
               k.release ? k.release : "");
        int ret = EXIT_FAILED;
        _cleanup_free_ char *image = NULL; /* before the first goto: out: frees it */
        if (!k.modules_dir)
                printf("modules    none (no modules dir: the kernel is assumed to have what it needs built "
                       "in)\n");
        else {
                static const char *const wanted[] = {"virtio_pci", "virtio_blk", "virtio_console", "ext4"};
                char **paths = NULL;
                size_t n = 0;
                if (vm_modules_resolve(k.modules_dir, wanted, ELEMENTSOF(wanted), &paths, &n, &err) < 0) {
                        fprintf(stderr, "bench vm image: %s\n", err->msg);
                        goto out;
                }
                printf("modules    %s, %zu in load order%s\n", k.modules_dir, n, n ? ":" : " (all built in)");
                for (size_t i = 0; i < n; i++)
                        printf("  %02zu %s\n", i, paths[i]);
                vm_modules_free(paths, n);
        }
        uint64_t t0 = bench_now_ns();
        if (vm_image_build(&k, agent, &image, &err) < 0) {
                fprintf(stderr, "bench vm image: %s\n", err->msg);
                goto out;
        }
        double ms = bench_ns_to_ms(bench_now_ns() - t0);
        for (char *m; (m = bench_cache_note_take()); free(m))
                fprintf(stderr, "bench vm image: %s\n", m);
        struct stat st;
        if (stat(image, &st) < 0) {
                fprintf(stderr, "bench vm image: %s: %s\n", image, strerror(errno));
                goto out;
        }
        printf("initramfs  %s (%.2f MiB, %lld bytes; %.1f ms)\n", image,
               (double)st.st_size / (1024.0 * 1024.0), (long long)st.st_size, ms);
        print_vmlinux(&k);
        for (char *m; (m = bench_cache_note_take()); free(m))
                fprintf(stderr, "bench vm image: %s\n", m);
        ret = EXIT_OK;
out:
        vm_kernel_clear(&k);
        return ret;
}

static const verb vm_verbs[] = {
        {.name = "image",
         .args = "[--kernel PATH] [--modules-dir DIR] [--agent PATH]",
         .help = "builds the guest initramfs (bench-agent as /init, device\n"
                 "nodes, the virtio and ext4 modules the kernel lacks), or\n"
                 "finds it in the cache, and prints what went in; extracts\n"
                 "the vmlinux of the fast boot path (or says why none)",
         .max_args = VERB_ANY,
         .run = vm_image},
        VERBS_HELP,
        {0},
};

/* bench vm's verbs (main.c dispatches to them) */
const verb_table vm_cli = {
        .prog = "bench vm",
        .verbs = vm_verbs,
        .footer =
                "options of image:\n"
                "  --kernel PATH        the guest kernel (default: /boot/vmlinuz-$(uname -r), else the one\n"
                "                       scripts/setup extracted into the bench cache)\n"
                "  --modules-dir DIR    its modules (.../lib/modules/RELEASE; default: next to the kernel)\n"
                "  --agent PATH         the bench-agent binary (default: next to bench, or $BENCH_AGENT)\n"
                "\n"
                "exit status: 0 ok, 1 failed, 2 bad usage\n",
};
