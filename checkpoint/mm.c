// SPDX-License-Identifier: GPL-2.0
/*
 * The mm's own fields: the MM record around the layout.
 *
 * Checkpoint writes the mm's bounds, auxv, executable, mlockall() and
 * THP-disable and membarrier state, with memory.c's VMA records nested
 * in it.  Restart reads and checks all of it (and, through memory.c, the
 * layout) before it destroys anything, then replaces the caller's
 * address space and sets the fields as prctl(PR_SET_MM_MAP) would.
 */
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/highmem.h>
#include <linux/slab.h>
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/sched/signal.h>
#include <linux/capability.h>
#include <linux/hugetlb.h>
#include <linux/shmem_fs.h>
#include <linux/dcache.h>
#include <linux/pkeys.h>
#include <linux/auxvec.h>
#include <linux/pgtable.h>
#include <linux/ktime.h>
#include <asm/prctl.h>
#include <asm/vdso.h>

#include <linux/membarrier.h>

#include <checkpoint/checkpoint.h>
#include <checkpoint/compat.h>
#include <checkpoint/memory.h>
#include <checkpoint/kapi.h>

/* ---------------------------------------------------------------------- */
/* checkpoint */

static void ckpt_mm_free(void *ptr)
{
	struct ckpt_ckpt_mm *cmm = ptr;

	kfree(cmm->exe_path);
	ckpt_cow_free(&cmm->cow);
	ckpt_vma_infos_free(cmm->vmas, cmm->nr);
	kvfree(cmm->vmas);
	kfree(cmm);
}

/* The layout ckpt_mm() saved, for ckpt_mm_pages(). */
struct ckpt_ckpt_mm *ckpt_mm_state(struct ckpt_ctx *ctx)
{
	return ckpt_state(ctx, CKPT_STATE_CKPT_MM);
}

/* The path of the mm's executable (/proc/PID/exe), if it has one. */
static int ckpt_exe_path(struct ckpt_ctx *ctx, struct mm_struct *mm,
			 struct ckpt_ckpt_mm *cmm)
{
	struct file *exe;
	char *path;
	int ret = 0;

	/*
	 * The target is frozen and alone in its mm, and we hold the mm:
	 * nothing can replace or drop exe_file meanwhile.
	 */
	rcu_read_lock();
	exe = rcu_dereference(mm->exe_file);
	if (exe)
		get_file(exe);
	rcu_read_unlock();
	if (!exe)
		return 0;
	if (ckpt_nameless(exe)) {
		ret = ckpt_err(ctx, -EOPNOTSUPP,
			       "pid %d: its executable was deleted or has no name",
			       task_pid_vnr(ctx->target));
		goto out;
	}
	path = ckpt_abs_path_name(&exe->f_path, &cmm->exe_len);
	if (IS_ERR(path))
		ret = ckpt_err(ctx, (int)PTR_ERR(path),
			       "pid %d: no path from the checkpointer's root to its executable",
			       task_pid_vnr(ctx->target));
	else
		cmm->exe_path = path;
out:
	fput(exe);
	return ret;
}

/*
 * The auxiliary vector up to its AT_NULL pair; prctl(PR_SET_MM_AUXV) may
 * have left stale words after it, which are not part of it.
 */
static void ckpt_auxv(struct ckpt_hdr_mm *hm, struct mm_struct *mm)
{
	unsigned int i, n = ARRAY_SIZE(mm->saved_auxv);

	BUILD_BUG_ON(ARRAY_SIZE(mm->saved_auxv) > CKPT_AUXV_WORDS);
	for (i = 0; i + 1 < n; i += 2) {
		hm->auxv[i] = mm->saved_auxv[i];
		hm->auxv[i + 1] = mm->saved_auxv[i + 1];
		if (mm->saved_auxv[i] == AT_NULL)
			break;
	}
}

/* membarrier() commands, each with the mm's state it leaves, and our flag */
static const struct {
	u32 flag;
	int cmd;
	unsigned int ready;
} ckpt_membarrier_cmds[] = {
	{ CKPT_MM_MB_PRIVATE, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED,
	  MEMBARRIER_STATE_PRIVATE_EXPEDITED_READY },
	{ CKPT_MM_MB_GLOBAL, MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED,
	  MEMBARRIER_STATE_GLOBAL_EXPEDITED_READY },
	{ CKPT_MM_MB_SYNC_CORE,
	  MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE,
	  MEMBARRIER_STATE_PRIVATE_EXPEDITED_SYNC_CORE_READY },
	{ CKPT_MM_MB_RSEQ, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ,
	  MEMBARRIER_STATE_PRIVATE_EXPEDITED_RSEQ_READY },
};

/* The registrations membarrier() made for @mm. */
static u32 ckpt_membarrier(struct mm_struct *mm)
{
	unsigned int state = 0, i;
	u32 flags = 0;

#ifdef CONFIG_MEMBARRIER
	state = atomic_read(&mm->membarrier_state);
#endif
	for (i = 0; i < ARRAY_SIZE(ckpt_membarrier_cmds); i++)
		if (state & ckpt_membarrier_cmds[i].ready)
			flags |= ckpt_membarrier_cmds[i].flag;
	return flags;
}

/*
 * The MM record with its VMA records.  The layout is kept for the PAGES
 * records, which come last in the image: everything restart must check
 * before it destroys anything comes first.  The task is frozen and shares
 * its mm with nobody, so the layout cannot change in between.
 */
int ckpt_mm(struct ckpt_ctx *ctx, struct mm_struct *mm, int objref)
{
	struct ckpt_hdr_mm hm = {};
	struct ckpt_ckpt_mm *cmm;
	struct ckpt_vma_info *vi;
	unsigned int nr, i;
	size_t extra = 0;
	int ret;

	cmm = kzalloc(sizeof(*cmm), GFP_KERNEL);
	if (!cmm)
		return -ENOMEM;
	ckpt_state_set(ctx, CKPT_STATE_CKPT_MM, cmm, ckpt_mm_free);
	ret = ckpt_collect_vmas(ctx, mm, &vi, &nr);
	if (ret < 0)
		return ret;
	if (nr > CKPT_MM_VMAS_MAX) {
		ckpt_vma_infos_free(vi, nr);
		kvfree(vi);
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d: %u mappings, more than the %u an image holds",
				task_pid_vnr(ctx->target), nr, CKPT_MM_VMAS_MAX);
	}
	cmm->mm = mm;
	cmm->vmas = vi;
	cmm->nr = nr;
	ret = ckpt_exe_path(ctx, mm, cmm);
	if (ret < 0)
		return ret;
	ret = ckpt_cow_scan(ctx, cmm);
	if (ret < 0)
		return ret;

	hm.objref = objref;
	hm.nr_vmas = nr;
	hm.cow_objref = cmm->cow_objref;
	hm.nr_cow = cmm->cow.nr;
	hm.start_code = mm->start_code;
	hm.end_code = mm->end_code;
	hm.start_data = mm->start_data;
	hm.end_data = mm->end_data;
	hm.start_brk = mm->start_brk;
	hm.brk = mm->brk;
	hm.start_stack = mm->start_stack;
	hm.arg_start = mm->arg_start;
	hm.arg_end = mm->arg_end;
	hm.env_start = mm->env_start;
	hm.env_end = mm->env_end;
	ckpt_auxv(&hm, mm);
	hm.exe_path_len = cmm->exe_len;
	if (mm->def_flags & VM_LOCKED)
		hm.flags |= CKPT_MM_LOCK_FUTURE;
	if (mm->def_flags & VM_LOCKONFAULT)
		hm.flags |= CKPT_MM_LOCK_ONFAULT;
	if (test_bit(MMF_DISABLE_THP, &mm->flags))
		hm.flags |= CKPT_MM_THP_DISABLE;
	hm.flags |= ckpt_membarrier(mm);
	extra = ALIGN(hm.exe_path_len, CKPT_ALIGN);
	for (i = 0; i < nr; i++)
		extra += ckpt_vma_len(&vi[i]);
	extra += ckpt_cow_len(cmm);

	ret = ckpt_write_obj(ctx, &hm.h, CKPT_HDR_MM, sizeof(hm), extra);
	if (ret < 0)
		return ret;
	if (hm.exe_path_len) {
		ret = ckpt_write_string(ctx, cmm->exe_path, hm.exe_path_len);
		if (ret < 0)
			return ret;
	}
	for (i = 0; i < nr; i++) {
		ret = ckpt_write_vma(ctx, &vi[i]);
		if (ret < 0)
			return ret;
	}
	return ckpt_cow_write(ctx, cmm);
}


/* ---------------------------------------------------------------------- */
/* restart */

static void rstr_mm_free(void *ptr)
{
	struct ckpt_rstr_mm *rmm = ptr;

	kfree(rmm->exe_path);
	ckpt_cow_free(&rmm->cow);
	if (rmm->exe) {
		allow_write_access(rmm->exe);
		fput(rmm->exe);
	}
	ckpt_vma_infos_free(rmm->vmas, rmm->nr);
	kvfree(rmm);
}

/* The layout rstr_mm_read() read, for rstr_mm() and rstr_pages(). */
struct ckpt_rstr_mm *rstr_mm_state(struct ckpt_ctx *ctx)
{
	return ckpt_state(ctx, CKPT_STATE_RSTR_MM);
}

static int rstr_mm_fields_check(struct ckpt_ctx *ctx, struct ckpt_hdr_mm *m)
{
	u64 *f = &m->start_code;
	int i;

	for (i = 0; i < 11; i++)
		if (f[i] >= TASK_SIZE)
			return ckpt_err(ctx, -EINVAL,
					"MM record: field %d (%#llx) outside user space",
					i, f[i]);
	if (m->start_code > m->end_code || m->start_data > m->end_data ||
	    m->start_brk > m->brk || m->arg_start > m->arg_end ||
	    m->env_start > m->env_end)
		return ckpt_err(ctx, -EINVAL, "MM record: inverted ranges");
	return 0;
}

/*
 * mlock2() would refuse more locked memory than RLIMIT_MEMLOCK allows
 * once the caller is gone: refuse the image now instead.  The caller's
 * own locked memory is unmapped by then.
 */
static int rstr_locked_check(struct ckpt_ctx *ctx, struct ckpt_rstr_mm *rmm)
{
	u64 locked = 0;
	unsigned int i;

	for (i = 0; i < rmm->nr; i++)
		if (rmm->vmas[i].v.flags & CKPT_VMA_LOCKED)
			locked += rmm->vmas[i].v.end - rmm->vmas[i].v.start;
	/* mlockall() wants a nonzero limit, whatever it locks */
	if (rmm->mm.flags & CKPT_MM_LOCK_FUTURE)
		locked = max_t(u64, locked, 1);
	if (!locked || capable(CAP_IPC_LOCK) ||
	    locked <= rlimit(RLIMIT_MEMLOCK))
		return 0;
	return ckpt_err(ctx, -EPERM,
			"image has %llu bytes of locked memory, RLIMIT_MEMLOCK allows %lu",
			locked, rlimit(RLIMIT_MEMLOCK));
}

/*
 * The image's auxiliary vector must end, with its AT_NULL pair, within
 * what this kernel keeps of one, and hold nothing after it.
 */
static int rstr_auxv_check(struct ckpt_ctx *ctx, struct ckpt_hdr_mm *m)
{
	unsigned int i, n = ARRAY_SIZE(current->mm->saved_auxv);

	for (i = 0; i + 1 < n; i += 2)
		if (m->auxv[i] == AT_NULL)
			break;
	if (i + 1 >= n)
		return ckpt_err(ctx, -EINVAL,
				"MM record at offset %llu: auxv longer than the %u words this kernel keeps",
				ctx->hdr_pos, n);
	if (memchr_inv(&m->auxv[i], 0, sizeof(m->auxv) - i * sizeof(m->auxv[0])))
		return ckpt_err(ctx, -EINVAL,
				"MM record at offset %llu: data after the auxv's AT_NULL",
				ctx->hdr_pos);
	return 0;
}

/*
 * The executable, opened and denied writers as execve() does, while a
 * missing or busy one can still fail the restart cleanly.
 */
static int rstr_exe_open(struct ckpt_ctx *ctx, struct ckpt_rstr_mm *rmm)
{
	struct file *file;
	char *path;
	int ret;

	path = ckpt_read_path(ctx, rmm->mm.exe_path_len);
	if (IS_ERR(path))
		return PTR_ERR(path);
	rmm->exe_path = path;
	file = filp_open(path, O_RDONLY | O_LARGEFILE, 0);
	if (IS_ERR(file))
		return ckpt_err(ctx, (int)PTR_ERR(file),
				"cannot open the executable %s", path);
	ret = S_ISREG(file_inode(file)->i_mode) ?
	      file_permission(file, MAY_EXEC) : -EACCES;
	if (ret < 0) {
		fput(file);
		return ckpt_err(ctx, ret, "%s cannot be an executable", path);
	}
	ret = deny_write_access(file);
	if (ret < 0) {
		fput(file);
		return ckpt_err(ctx, ret, "the executable %s is open for writing",
				path);
	}
	rmm->exe = file;
	return 0;
}

/* The MM record's own fields, and its executable, read before its VMAs. */
static int rstr_mm_own(struct ckpt_ctx *ctx, struct ckpt_rstr_mm *rmm)
{
	struct ckpt_hdr_mm *m = &rmm->mm;
	int ret;

	if ((m->flags & ~CKPT_MM_FLAGS_ALL) ||
	    (m->flags & (CKPT_MM_LOCK_FUTURE | CKPT_MM_LOCK_ONFAULT)) ==
	    CKPT_MM_LOCK_ONFAULT)
		return ckpt_err(ctx, -EINVAL,
				"MM record at offset %llu: flags %#x",
				ctx->hdr_pos, m->flags);
	if (sizeof(*m) + (u64)ALIGN(m->exe_path_len, CKPT_ALIGN) > m->h.len)
		return ckpt_err(ctx, -EINVAL,
				"MM record at offset %llu: executable path length %u, record length %u",
				ctx->hdr_pos, m->exe_path_len, m->h.len);
	ret = rstr_auxv_check(ctx, m);
	if (!ret && m->exe_path_len)
		ret = rstr_exe_open(ctx, rmm);
	return ret;
}

/* Read and check the MM record and its VMAs; nothing is applied yet. */
int rstr_mm_read(struct ckpt_ctx *ctx, struct ckpt_hdr *h)
{
	struct ckpt_rstr_mm *rmm;
	struct ckpt_hdr_mm hm;
	u64 end, prev_end = 0, parent;
	int ret;

	hm.h = *h;
	ret = ckpt_read_payload(ctx, &hm.h, sizeof(hm));
	if (ret < 0)
		return ret;
	if (hm.nr_vmas > CKPT_MM_VMAS_MAX)
		return ckpt_err(ctx, -EINVAL, "MM record: %u mappings",
				hm.nr_vmas);
	ret = rstr_mm_fields_check(ctx, &hm);
	if (ret < 0)
		return ret;
	rmm = kvzalloc(struct_size(rmm, vmas, hm.nr_vmas), GFP_KERNEL);
	if (!rmm)
		return -ENOMEM;
	rmm->mm = hm;
	ckpt_state_set(ctx, CKPT_STATE_RSTR_MM, rmm, rstr_mm_free);

	/* the VMA records live inside the MM record */
	end = ctx->hdr_pos + hm.h.len;
	parent = ctx->limit;
	ctx->limit = end;
	ret = rstr_mm_own(ctx, rmm);
	if (ret < 0)
		goto out;
	for (rmm->nr = 0; rmm->nr < hm.nr_vmas; rmm->nr++) {
		ret = rstr_vma_read(ctx, &rmm->vmas[rmm->nr], prev_end);
		if (ret < 0) {
			rmm->nr++;	/* its path, if any, is freed with it */
			goto out;
		}
		prev_end = rmm->vmas[rmm->nr].v.end;
	}
	ret = rstr_cow_read(ctx, rmm);
	if (!ret && ctx->pos != end)
		ret = ckpt_err(ctx, -EINVAL,
			       "MM record: length %u does not match its %u VMA and %u COW records",
			       hm.h.len, hm.nr_vmas, hm.nr_cow);
	if (!ret)
		ret = rstr_vdso_check(ctx, rmm);
	if (!ret)
		ret = rstr_locked_check(ctx, rmm);
	if (ret < 0)
		goto out;
	if (hm.objref != ctx->ts.task.mm_objref)
		ret = ckpt_err(ctx, -EINVAL,
			       "MM record: objref %d, its TASK record's is %d",
			       hm.objref, ctx->ts.task.mm_objref);
out:
	ctx->limit = parent;
	return ret;
}

/*
 * As prctl(PR_SET_MM_MAP) does it, with the values checked already.  The
 * executable keeps the write denial rstr_exe_open() took; the one the
 * old executable held goes with it.
 */
static void rstr_mm_fields(struct mm_struct *mm, struct ckpt_rstr_mm *rmm)
{
	struct ckpt_hdr_mm *m = &rmm->mm;
	struct file *old;

	/*
	 * The locks prctl() takes: the mmap lock for exe_file and the
	 * bounds, arg_lock for what /proc/PID/cmdline and environ read
	 * under it, task_lock() for saved_auxv (PR_SET_MM_AUXV).
	 */
	mmap_write_lock(mm);
	old = rcu_replace_pointer(mm->exe_file, rmm->exe,
				  lockdep_is_held(&mm->mmap_lock));
	rmm->exe = NULL;
	mm->start_code = m->start_code;
	mm->end_code = m->end_code;
	mm->start_data = m->start_data;
	mm->end_data = m->end_data;
	mm->start_brk = m->start_brk;
	mm->brk = m->brk;
	mm->start_stack = m->start_stack;
	spin_lock(&mm->arg_lock);
	mm->arg_start = m->arg_start;
	mm->arg_end = m->arg_end;
	mm->env_start = m->env_start;
	mm->env_end = m->env_end;
	spin_unlock(&mm->arg_lock);
	/* as prctl(PR_SET_THP_DISABLE) sets it */
	if (m->flags & CKPT_MM_THP_DISABLE)
		set_bit(MMF_DISABLE_THP, &mm->flags);
	else
		clear_bit(MMF_DISABLE_THP, &mm->flags);
	mmap_write_unlock(mm);
	if (old) {
		allow_write_access(old);
		fput(old);
	}
	task_lock(current);
	memcpy(mm->saved_auxv, m->auxv, sizeof(mm->saved_auxv));
	task_unlock(current);
}

/* The same registrations, through membarrier() as the process made them. */
static int rstr_membarrier(struct ckpt_ctx *ctx, u32 flags)
{
	unsigned int i;
	long ret;

	for (i = 0; i < ARRAY_SIZE(ckpt_membarrier_cmds); i++) {
		if (!(flags & ckpt_membarrier_cmds[i].flag))
			continue;
		ret = kapi_membarrier(ckpt_membarrier_cmds[i].cmd);
		if (ret < 0)
			return ckpt_err(ctx, (int)ret,
					"cannot register with membarrier() again (command %d)",
					ckpt_membarrier_cmds[i].cmd);
	}
	return 0;
}

/* mlockall(MCL_FUTURE) last, or the mappings restored would all be locked. */
static int rstr_lock_future(struct ckpt_ctx *ctx, u32 flags)
{
	long ret;

	if (!(flags & CKPT_MM_LOCK_FUTURE))
		return 0;
	ret = kapi_mlockall(MCL_FUTURE |
			    (flags & CKPT_MM_LOCK_ONFAULT ? MCL_ONFAULT : 0));
	if (ret < 0)
		return ckpt_err(ctx, (int)ret, "cannot mlockall(MCL_FUTURE)");
	return 0;
}

/*
 * Replace the caller's address space with the image's layout.  Past the
 * first unmap there is no way back: the caller dies on any error.
 */
int rstr_mm(struct ckpt_ctx *ctx)
{
	struct ckpt_rstr_mm *rmm = rstr_mm_state(ctx);
	int i, ret;

	ret = vm_munmap(0, TASK_SIZE);
	if (ret < 0)
		return ckpt_err(ctx, ret, "cannot clear the address space");
	/* first: the mappings a parent's pages are shared into, as fork() */
	ret = rstr_cow_map(ctx, rmm);
	if (ret < 0)
		return ret;
	for (i = 0; i < rmm->nr; i++) {
		switch (rmm->vmas[i].v.kind) {
		case CKPT_VMA_VVAR:
			continue;	/* mapped along with [vdso] */
		case CKPT_VMA_VDSO:
			ret = rstr_map_vdso(ctx, rmm, i);
			break;
		default:
			if ((rmm->vmas[i].v.flags & CKPT_VMA_COW) &&
			    rmm->cow_shared)
				ret = rstr_cow_finish(ctx, &rmm->vmas[i]);
			else
				ret = rstr_map_vma(ctx, &rmm->vmas[i]);
		}
		if (ret < 0)
			return ret;
	}
	ret = rstr_cow_fill(ctx, rmm);
	if (ret < 0)
		return ret;
	rstr_mm_fields(current->mm, rmm);
	ret = rstr_membarrier(ctx, rmm->mm.flags);
	if (ret < 0)
		return ret;
	return rstr_lock_future(ctx, rmm->mm.flags);
}
