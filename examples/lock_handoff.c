// SPDX-License-Identifier: GPL-2.0
/*
 * A shared/intent/exclusive lock with direct hand-off to waiters, in the shape of the
 * kernel's six locks. The waker takes a waiter off the wait list, then tells it that it
 * now owns the lock; the waiter spins on that flag in its slow path.
 *
 * The hand-off below uses barrier(): correct on x86, broken on arm64, POWER and RISC-V.
 */
#include <linux/list.h>
#include <linux/sched.h>
#include <linux/spinlock.h>

struct hand_lock;

struct hand_lock_waiter {
	struct list_head	list;
	struct task_struct	*task;
	unsigned int		lock_want;
	bool			lock_acquired;
};

struct hand_lock {
	atomic_t		state;
	raw_spinlock_t		wait_lock;
	struct list_head	wait_list;
};

static bool hand_lock_trylock(struct hand_lock *lock, unsigned int type);

static void hand_lock_wakeup(struct hand_lock *lock, unsigned int type)
{
	struct hand_lock_waiter *w, *next;

	raw_spin_lock(&lock->wait_lock);
	list_for_each_entry_safe(w, next, &lock->wait_list, list) {
		if (w->lock_want != type)
			break;
		if (!hand_lock_trylock(lock, type))
			break;

		__list_del(w->list.prev, w->list.next);
		barrier();
		w->lock_acquired = true;
		wake_up_process(w->task);
	}
	raw_spin_unlock(&lock->wait_lock);
}

static int hand_lock_slowpath(struct hand_lock *lock, struct hand_lock_waiter *wait,
			      unsigned int type)
{
	wait->task = current;
	wait->lock_want = type;
	wait->lock_acquired = false;

	raw_spin_lock(&lock->wait_lock);
	list_add_tail(&wait->list, &lock->wait_list);
	raw_spin_unlock(&lock->wait_lock);

	while (1) {
		set_current_state(TASK_UNINTERRUPTIBLE);
		if (wait->lock_acquired)
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);

	/* The waker removed us from the list before handing the lock over. */
	WARN_ON_ONCE(!list_empty(&wait->list));
	return 0;
}
