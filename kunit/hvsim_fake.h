/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A partition and VPs that are in none of hvsim's tables, for the KUnit
 * suites that run one piece of hvsim's per-VP logic on its own (the
 * interrupt model, the LAPIC timer, a guest's SynIC, the partition clock).
 * Nothing posts to the root SynIC through them as long as a test wakes
 * and starts no VP.
 */
#ifndef _KUNIT_HVSIM_FAKE_H
#define _KUNIT_HVSIM_FAKE_H

#include <kunit/test.h>
#include <linux/gfp.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "../hvsim/hvsim_model.h"

#define HVSIM_FAKE_VPS	2

/**
 * struct hvsim_fake - a zeroed partition and its VPs, owned by a test
 * @pt: the partition; its lock (@pt.lock) is the only lock, and protects
 *	what it protects in a real partition; its VP table is empty
 * @vp: the VPs: each links to @pt, VP i has index i
 */
struct hvsim_fake {
	struct hvsim_partition pt;
	struct hvsim_vp vp[HVSIM_FAKE_VPS];
};

/**
 * hvsim_fake_new() - allocate a fake partition with its VPs
 * @test: the test; the memory is freed when it ends
 *
 * Fails (aborts) the test when the allocation fails.
 *
 * Return: the partition and VPs, zeroed but for the lock and the links
 * described at struct hvsim_fake.
 */
static inline struct hvsim_fake *hvsim_fake_new(struct kunit *test)
{
	struct hvsim_fake *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, f);
	spin_lock_init(&f->pt.lock);
	for (i = 0; i < HVSIM_FAKE_VPS; i++) {
		f->vp[i].partition = &f->pt;
		f->vp[i].index = i;
	}
	return f;
}

#endif /* _KUNIT_HVSIM_FAKE_H */
