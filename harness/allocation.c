/* SPDX-License-Identifier: MIT */
#include "allocation.h"

#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "../common/cpulist.h"
#include "../runtimes/container/cgroup.h"

extern char **environ;

static const char *env_get(char *const *envp, const char *key) {
        size_t len = strlen(key);
        for (char *const *e = envp; e && *e; e++)
                if (!strncmp(*e, key, len) && (*e)[len] == '=')
                        return *e + len + 1;
        return NULL;
}

static bool is_id(const char *s) {
        if (!s || !*s || strlen(s) > 20)
                return false;
        for (; *s; s++)
                if (*s < '0' || *s > '9')
                        return false;
        return true;
}

/* a node, cluster, partition or job name: printable ASCII, no space, at most 128 bytes */
static bool is_name(const char *s) {
        if (!s || !*s || strlen(s) > 128)
                return false;
        for (; *s; s++)
                if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
                        return false;
        return true;
}

static void add_checked(cJSON *o, const char *key, const char *val, bool (*ok)(const char *)) {
        if (val && ok(val))
                cJSON_AddStringToObject(o, key, val);
        else
                cJSON_AddNullToObject(o, key);
}

cJSON *allocation_slurm(char *const *envp) {
        const char *job = env_get(envp, "SLURM_JOB_ID");
        if (!job)
                return NULL;
        cJSON *s = cJSON_CreateObject();
        if (!s)
                return NULL;
        add_checked(s, "job_id", job, is_id);
        /* a batch script has no step id: srun's steps do */
        add_checked(s, "step_id", env_get(envp, "SLURM_STEP_ID"), is_id);
        add_checked(s, "node", env_get(envp, "SLURMD_NODENAME"), is_name);
        add_checked(s, "cluster", env_get(envp, "SLURM_CLUSTER_NAME"), is_name);
        add_checked(s, "partition", env_get(envp, "SLURM_JOB_PARTITION"), is_name);
        add_checked(s, "job_name", env_get(envp, "SLURM_JOB_NAME"), is_name);
        return s;
}

cJSON *allocation_capture(void) {
        cJSON *a = cJSON_CreateObject();
        if (!a)
                return NULL;
        cpu_set_t set;
        char list[1024];
        if (sched_getaffinity(0, sizeof(set), &set) == 0 &&
            bench_cpulist_format(&set, list, sizeof(list)) >= 0) {
                cJSON_AddStringToObject(a, "cpus", list);
                cJSON_AddNumberToObject(a, "n_cpus", CPU_COUNT(&set));
        } else {
                cJSON_AddNullToObject(a, "cpus");
                cJSON_AddNullToObject(a, "n_cpus");
        }
        uint64_t limit = ctr_cgroup_memory_limit();
        if (limit)
                cJSON_AddNumberToObject(a, "memory_limit_bytes", (double)limit);
        else
                cJSON_AddNullToObject(a, "memory_limit_bytes");

        ctr_cgroup_own own[16];
        size_t n = ctr_cgroup_own_list(own, sizeof(own) / sizeof(own[0]));
        cJSON *cg = cJSON_AddObjectToObject(a, "cgroups");
        bool delegated = false;
        for (size_t i = 0; cg && i < n; i++) {
                cJSON_AddStringToObject(cg, own[i].key, own[i].path);
                delegated |= own[i].nested;
        }
        cJSON_AddBoolToObject(a, "delegated", delegated);
        cJSON *slurm = allocation_slurm(environ);
        if (slurm)
                cJSON_AddItemToObject(a, "slurm", slurm);
        return a;
}
