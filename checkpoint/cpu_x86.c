// SPDX-License-Identifier: GPL-2.0
/*
 * x86-64 CPU state: general registers, fs/gs base and the xsave area.
 *
 * Saving goes through the same regsets ptrace and core dumps use, from
 * the task's own context, so the image holds the standard (uncompacted)
 * xsave layout that any xsave-capable CPU with the same features reads.
 */
#include <linux/slab.h>
#include <linux/regset.h>
#include <linux/elf.h>
#include <linux/sched/task_stack.h>
#include <linux/ptrace.h>
#include <linux/task_work.h>
#include <asm/cpufeature.h>
#include <asm/fpu/api.h>
#include <asm/fpu/types.h>
#include <asm/prctl.h>
#include <asm/segment.h>
#include <asm/ptrace.h>
#include <asm/user.h>
#include <asm/unistd.h>

#include <checkpoint/checkpoint.h>
#include <checkpoint/kapi.h>

/* flags a user may hold; IF is always set and IOPL is never granted */
#define CKPT_EFLAGS_USER (X86_EFLAGS_CF | X86_EFLAGS_PF | X86_EFLAGS_AF | \
			  X86_EFLAGS_ZF | X86_EFLAGS_SF | X86_EFLAGS_TF | \
			  X86_EFLAGS_DF | X86_EFLAGS_OF | X86_EFLAGS_AC | \
			  X86_EFLAGS_ID)

/* legacy area + xsave header: the least a standard xsave image holds */
#define CKPT_XSAVE_MIN	(512 + 64)
#define CKPT_XSAVE_HDR	512

static unsigned int ckpt_xsave_size;
static u64 ckpt_xsave_features;

static const struct user_regset *ckpt_regset(unsigned int note)
{
	const struct user_regset_view *view = task_user_regset_view(current);
	int i;

	for (i = 0; i < view->n; i++)
		if (view->regsets[i].core_note_type == note)
			return &view->regsets[i];
	return NULL;
}

/*
 * Learn the user xsave size and features once: the regset's size, and
 * the XCR0 value the kernel stores in the software-reserved bytes of the
 * user xsave images it produces (as in core dumps).
 */
int ckpt_cpu_init(void)
{
	const struct user_regset *rs = ckpt_regset(NT_X86_XSTATE);
	void *buf;
	int ret;

	if (!rs || !boot_cpu_has(X86_FEATURE_XSAVE)) {
		pr_err("this CPU has no xsave; not supported\n");
		return -EOPNOTSUPP;
	}
	ckpt_xsave_size = rs->n * rs->size;
	buf = kzalloc(ckpt_xsave_size, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	ret = regset_get(current, rs, ckpt_xsave_size, buf);
	if (ret >= 0)
		ckpt_xsave_features = ((u64 *)(buf + offsetof(struct fxregs_state,
						   sw_reserved)))[USER_XSTATE_XCR0_WORD];
	kfree(buf);
	return ret < 0 ? ret : 0;
}

unsigned int ckpt_xstate_size(void)
{
	return ckpt_xsave_size;
}

u64 ckpt_xstate_features(void)
{
	return ckpt_xsave_features;
}

/*
 * In the checkpointed task's own context, while it freezes; or of a
 * stopped task, off its CPU, whose registers are in memory (as ptrace
 * reads a stopped tracee's).
 */
int ckpt_cpu_save(struct ckpt_ctx *ctx, struct task_struct *t)
{
	struct ckpt_hdr_cpu *cpu = &ctx->ts.cpu;
	struct user_regs_struct regs;
	int ret;

	BUILD_BUG_ON(sizeof(regs) != offsetof(struct ckpt_hdr_cpu, xstate_size) -
				     offsetof(struct ckpt_hdr_cpu, r15));
	ret = regset_get(t, ckpt_regset(NT_PRSTATUS), sizeof(regs),
			 &regs);
	if (ret < 0)
		return ret;
	/* the record lays the registers out as user_regs_struct does */
	memcpy((u8 *)cpu + offsetof(struct ckpt_hdr_cpu, r15), &regs,
	       sizeof(regs));

	ctx->ts.xstate = kzalloc(ckpt_xsave_size, GFP_KERNEL);
	if (!ctx->ts.xstate)
		return -ENOMEM;
	ret = regset_get(t, ckpt_regset(NT_X86_XSTATE), ckpt_xsave_size,
			 ctx->ts.xstate);
	if (ret < 0)
		return ret;
	ctx->ts.xstate_size = ckpt_xsave_size;
	cpu->xstate_size = ckpt_xsave_size;
	return 0;
}

int ckpt_cpu(struct ckpt_ctx *ctx)
{
	struct ckpt_hdr_cpu *cpu = &ctx->ts.cpu;
	int ret;

	ret = ckpt_write_obj(ctx, &cpu->h, CKPT_HDR_CPU, sizeof(*cpu),
			     cpu->xstate_size);
	if (ret < 0)
		return ret;
	ret = ckpt_write(ctx, ctx->ts.xstate, cpu->xstate_size);
	if (ret < 0)
		return ret;
	return ckpt_write_pad(ctx, ALIGN(cpu->xstate_size, CKPT_ALIGN) -
				   cpu->xstate_size);
}

static int rstr_cpu_check(struct ckpt_ctx *ctx, struct ckpt_hdr_cpu *cpu)
{
	if (cpu->cs != __USER_CS || cpu->ss != __USER_DS)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"CPU record: cs %#llx ss %#llx: only 64-bit tasks are supported",
				cpu->cs, cpu->ss);
	if (cpu->ds || cpu->es || cpu->fs || cpu->gs)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"CPU record: nonzero data segment selectors");
	if (cpu->rip >= TASK_SIZE_MAX || cpu->fs_base >= TASK_SIZE_MAX ||
	    cpu->gs_base >= TASK_SIZE_MAX)
		return ckpt_err(ctx, -EINVAL,
				"CPU record: rip %#llx fs %#llx gs %#llx outside user space",
				cpu->rip, cpu->fs_base, cpu->gs_base);
	return 0;
}

static int rstr_xstate_check(struct ckpt_ctx *ctx, const void *xsave)
{
	const struct xstate_header *hdr = xsave + CKPT_XSAVE_HDR;

	if (hdr->xfeatures & ~ckpt_xsave_features)
		return ckpt_err(ctx, -EINVAL,
				"CPU record: xsave features %#llx not all available",
				hdr->xfeatures);
	if (hdr->xcomp_bv || memchr_inv(hdr->reserved, 0,
					sizeof(hdr->reserved)))
		return ckpt_err(ctx, -EINVAL,
				"CPU record: malformed xsave header");
	return 0;
}

/* Read and check the CPU record; nothing is applied yet. */
int rstr_cpu_read(struct ckpt_ctx *ctx, struct ckpt_hdr *h)
{
	struct ckpt_hdr_cpu *cpu = &ctx->ts.cpu;
	u32 size;
	int ret;

	cpu->h = *h;
	ret = ckpt_read_payload(ctx, &cpu->h, sizeof(*cpu));
	if (ret < 0)
		return ret;
	size = cpu->xstate_size;
	if (size < CKPT_XSAVE_MIN || size > ckpt_xsave_size ||
	    cpu->h.len != sizeof(*cpu) + ALIGN(size, CKPT_ALIGN))
		return ckpt_err(ctx, -EINVAL,
				"CPU record: xsave size %u (this CPU: %u), length %u",
				size, ckpt_xsave_size, cpu->h.len);
	ret = rstr_cpu_check(ctx, cpu);
	if (ret < 0)
		return ret;

	/* a smaller image area leaves this CPU's extra components in init */
	ctx->ts.xstate = kzalloc(ckpt_xsave_size, GFP_KERNEL);
	if (!ctx->ts.xstate)
		return -ENOMEM;
	ctx->ts.xstate_size = ckpt_xsave_size;
	ret = ckpt_read(ctx, ctx->ts.xstate, size);
	if (ret < 0)
		return ret;
	ret = ckpt_read_pad(ctx, size);
	if (ret < 0)
		return ret;
	return rstr_xstate_check(ctx, ctx->ts.xstate);
}

/*
 * A task frozen inside a system call that is to be restarted: restart it
 * the way signal delivery would.  A call whose restart_block came back
 * with the image resumes through restart_syscall(); one whose did not is
 * issued again with its original arguments.
 */
static void rstr_syscall_restart(struct ckpt_ctx *ctx, struct ckpt_hdr_cpu *cpu)
{
	if ((long)cpu->orig_rax < 0)
		return;
	switch ((long)cpu->rax) {
	case -ERESTART_RESTARTBLOCK:
		cpu->rax = ctx->ts.restart_block ? __NR_restart_syscall :
						   cpu->orig_rax;
		cpu->rip -= 2;		/* back over the syscall instruction */
		break;
	case -ERESTARTSYS:
	case -ERESTARTNOINTR:
	case -ERESTARTNOHAND:
		cpu->rax = cpu->orig_rax;
		cpu->rip -= 2;
		break;
	}
}

static int rstr_fpu(struct ckpt_ctx *ctx)
{
	struct fpu *fpu = &current->thread.fpu;

	/*
	 * Flush the live user registers to memory and mark them stale, so
	 * the return to user mode loads whatever we write into the fpstate.
	 */
	kernel_fpu_begin();
	kernel_fpu_end();
	return kapi_xstate_from_uabi(fpu->fpstate, ctx->ts.xstate,
				     &current->thread.pkru);
}

/* Apply the CPU record to the current task: the last step of restart. */
int rstr_cpu(struct ckpt_ctx *ctx)
{
	struct ckpt_hdr_cpu *cpu = &ctx->ts.cpu;
	struct pt_regs *regs = current_pt_regs();
	long ret;

	ret = rstr_fpu(ctx);
	if (ret < 0)
		goto err;
	ret = kapi_arch_prctl(ARCH_SET_FS, cpu->fs_base);
	if (!ret)
		ret = kapi_arch_prctl(ARCH_SET_GS, cpu->gs_base);
	if (ret < 0)
		goto err;

	rstr_syscall_restart(ctx, cpu);
	regs->r15 = cpu->r15;
	regs->r14 = cpu->r14;
	regs->r13 = cpu->r13;
	regs->r12 = cpu->r12;
	regs->bp = cpu->rbp;
	regs->bx = cpu->rbx;
	regs->r11 = cpu->r11;
	regs->r10 = cpu->r10;
	regs->r9 = cpu->r9;
	regs->r8 = cpu->r8;
	regs->cx = cpu->rcx;
	regs->dx = cpu->rdx;
	regs->si = cpu->rsi;
	regs->di = cpu->rdi;
	regs->ip = cpu->rip;
	regs->sp = cpu->rsp;
	regs->flags = (cpu->eflags & CKPT_EFLAGS_USER) | X86_EFLAGS_IF |
		      X86_EFLAGS_FIXED;
	regs->cs = __USER_CS;
	regs->ss = __USER_DS;
	/*
	 * Not in a system call for now: nothing may "restart" the ioctl.
	 * The task's own orig_ax and ax are set by rstr_cpu_finish(), once
	 * the ioctl has returned.
	 */
	regs->orig_ax = -1;
	return 0;
err:
	return ckpt_err(ctx, (int)ret, "cannot load the CPU state");
}

static bool rstr_restart_code(long ax)
{
	return ax == -ERESTARTSYS || ax == -ERESTARTNOINTR ||
	       ax == -ERESTARTNOHAND || ax == -ERESTART_RESTARTBLOCK;
}

/*
 * The ioctl's return value overwrites ax: this runs on the way out to
 * user mode, after the system call has stored its result and its exit
 * was traced, before any signal is delivered (get_signal() runs task
 * work first).
 *
 * orig_ax is what /proc/PID/syscall and ptrace tell the task is in: the
 * system call it was checkpointed in (a stop on its way out of kill(),
 * a call rstr_syscall_restart() rewound).  Signal delivery reads it too:
 * with orig_ax >= 0 and ax a restart code it would restart the call, so
 * such an ax keeps orig_ax -1.  rstr_syscall_restart() leaves none: it
 * turned each into the call's number, as the kernel's own restart does,
 * which keeps orig_ax too.  Any orig_ax is one the task could have made
 * itself by issuing a system call of that number.
 */
void rstr_cpu_finish(u64 ax, u64 orig_ax)
{
	struct pt_regs *regs = current_pt_regs();

	regs->ax = ax;
	if (!rstr_restart_code((long)ax))
		regs->orig_ax = orig_ax;
}
