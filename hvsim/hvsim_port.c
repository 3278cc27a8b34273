// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvsim: ports of the root partition, and guest doorbells.
 *
 * The root creates a port (CREATE_PORT) that one guest partition may
 * connect to; the guest side connects (CONNECT_PORT, issued by the root on
 * the guest's behalf).  Only doorbell ports are modelled: a connected
 * doorbell names a guest physical address, a trigger size and a trigger
 * value (or any value).  A guest write to an unmapped GPA that matches a
 * doorbell is completed by hvsim itself (the instruction retires, no
 * intercept): the port id is queued in the root's event ring of the port's
 * target SINT on the CPU that runs the VP (hvsim_synic.c), which signals
 * the root.
 *
 * Ports live in pages of the root's (SELF) pool, one page per port;
 * CREATE_PORT fails with HV_STATUS_INSUFFICIENT_MEMORY when the pool is
 * empty.  The connection is stored in the port.  Port ids are chosen by
 * the root (24 bits, non-zero).
 *
 * Locking: hvsim_ports_lock protects the port list and every port; it is
 * a leaf, taken inside hvsim_lock (allocation) and inside a partition's
 * lock (the doorbell check while a VP runs).
 */
#include <linux/debugfs.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>

#include "hvsim_model.h"
#include "hvsim_mem.h"
#include "hvsim_partition.h"
#include "hvsim_port.h"
#include "hvsim_synic.h"

/**
 * struct hvsim_port - a port of the root; lives in one root pool page
 * @node: entry in hvsim_ports
 * @id: port id (24 bits, non-zero)
 * @target_sint: root SINT (event ring) signalled by the doorbell
 * @target_vp: root VP (HV_ANY_VP: the CPU running the guest)
 * @connection_partition_id: the only partition that may connect
 * @connected: a connection exists
 * @connection_id: its id
 * @gpa: doorbell guest physical address
 * @trigger_value: value a write must carry, unless ANY_VALUE in @flags
 * @flags: HV_DOORBELL_FLAG_*
 * @signals: doorbell writes that signalled the port
 *
 * All fields are protected by hvsim_ports_lock.
 */
struct hvsim_port {
	struct list_head node;
	u32 id;
	u32 target_sint;
	u32 target_vp;
	u64 connection_partition_id;
	bool connected;
	u32 connection_id;
	u64 gpa;
	u64 trigger_value;
	u64 flags;
	u64 signals;
};

static DEFINE_SPINLOCK(hvsim_ports_lock);
static LIST_HEAD(hvsim_ports);

static struct hvsim_port *port_find(u32 id)
{
	struct hvsim_port *port;

	lockdep_assert_held(&hvsim_ports_lock);
	list_for_each_entry(port, &hvsim_ports, node)
		if (port->id == id)
			return port;
	return NULL;
}

static struct hvsim_port *connection_find(u64 partition_id, u32 connection_id)
{
	struct hvsim_port *port;

	lockdep_assert_held(&hvsim_ports_lock);
	list_for_each_entry(port, &hvsim_ports, node)
		if (port->connected &&
		    port->connection_partition_id == partition_id &&
		    port->connection_id == connection_id)
			return port;
	return NULL;
}

/* Does the partition exist (and is it not being deleted)? */
static bool partition_exists(u64 id)
{
	return hvsim_partition_call(id, HVSIM_PT_ANY, NULL, NULL) ==
	       HV_STATUS_SUCCESS;
}

/**
 * hvsim_hc_create_port() - HVCALL_CREATE_PORT
 * @call: decoded call
 *
 * The input passed hvsim_decode_create_port().
 *
 * Return: HV_STATUS_INVALID_PARTITION_ID (the connection partition does
 * not exist), HV_STATUS_INVALID_PORT_ID (id in use),
 * HV_STATUS_INSUFFICIENT_MEMORY (root pool empty), or success.
 */
u16 hvsim_hc_create_port(struct hvsim_call *call)
{
	const struct hv_input_create_port *in = call->input;
	struct hvsim_port *port;
	u16 status = HV_STATUS_SUCCESS;

	if (!partition_exists(in->connection_partition_id))
		return HV_STATUS_INVALID_PARTITION_ID;

	spin_lock(&hvsim_lock);
	spin_lock(&hvsim_ports_lock);
	if (port_find(in->port_id)) {
		status = HV_STATUS_INVALID_PORT_ID;
		goto unlock;
	}
	port = hvsim_pool_alloc(&hvsim_root_pool);
	if (!port) {
		status = HV_STATUS_INSUFFICIENT_MEMORY;
		goto unlock;
	}
	port->id = in->port_id;
	port->target_sint = in->target_sint;
	port->target_vp = in->target_vp;
	port->connection_partition_id = in->connection_partition_id;
	list_add_tail(&port->node, &hvsim_ports);
unlock:
	spin_unlock(&hvsim_ports_lock);
	spin_unlock(&hvsim_lock);
	return status;
}

/**
 * hvsim_hc_connect_port() - HVCALL_CONNECT_PORT
 * @call: decoded call
 *
 * Return: HV_STATUS_INVALID_PARTITION_ID (connection partition does not
 * exist, port partition not SELF), HV_STATUS_INVALID_PARAMETER (non-zero
 * VTL or reserved fields, type not doorbell, unknown flags, trigger size
 * above QWORD), HV_STATUS_INVALID_PORT_ID (no such port),
 * HV_STATUS_ACCESS_DENIED (the port is for another partition),
 * HV_STATUS_INVALID_CONNECTION_ID (id above 24 bits, port already
 * connected, or the partition already uses the id), or success.
 */
u16 hvsim_hc_connect_port(struct hvsim_call *call)
{
	const struct hv_input_connect_port *in = call->input;
	struct hvsim_port *port;
	u16 status = HV_STATUS_SUCCESS;

	if (!partition_exists(in->connection_partition_id))
		return HV_STATUS_INVALID_PARTITION_ID;

	spin_lock(&hvsim_ports_lock);
	port = port_find(in->port_id);
	if (!port) {
		status = HV_STATUS_INVALID_PORT_ID;
	} else if (port->connection_partition_id !=
		   in->connection_partition_id) {
		status = HV_STATUS_ACCESS_DENIED;
	} else if (port->connected ||
		   connection_find(in->connection_partition_id,
				   in->connection_id)) {
		status = HV_STATUS_INVALID_CONNECTION_ID;
	} else {
		port->connected = true;
		port->connection_id = in->connection_id;
		port->gpa = in->doorbell_gpa;
		port->trigger_value = in->doorbell_trigger_value;
		port->flags = in->doorbell_flags;
	}
	spin_unlock(&hvsim_ports_lock);
	return status;
}

/**
 * hvsim_hc_disconnect_port() - HVCALL_DISCONNECT_PORT (fast)
 * @call: decoded call
 *
 * Return: HV_STATUS_INVALID_PARAMETER (flags other than is_doorbell),
 * HV_STATUS_INVALID_CONNECTION_ID (no such connection of that
 * partition), or success.
 */
u16 hvsim_hc_disconnect_port(struct hvsim_call *call)
{
	const struct hv_input_disconnect_port *in = call->input;
	struct hvsim_port *port;
	u16 status = HV_STATUS_SUCCESS;

	spin_lock(&hvsim_ports_lock);
	port = connection_find(in->connection_partition_id,
			       in->connection_id);
	if (port)
		port->connected = false;
	else
		status = HV_STATUS_INVALID_CONNECTION_ID;
	spin_unlock(&hvsim_ports_lock);
	return status;
}

/**
 * hvsim_hc_delete_port() - HVCALL_DELETE_PORT (fast)
 * @call: decoded call
 *
 * A connection still open is closed with the port.  The page goes back to
 * the root's pool.
 *
 * Return: HV_STATUS_INVALID_PARTITION_ID (not SELF),
 * HV_STATUS_INVALID_PARAMETER (reserved field), HV_STATUS_INVALID_PORT_ID
 * (no such port), or success.
 */
u16 hvsim_hc_delete_port(struct hvsim_call *call)
{
	const struct hv_input_delete_port *in = call->input;
	struct hvsim_port *port;
	u16 status = HV_STATUS_SUCCESS;

	spin_lock(&hvsim_lock);
	spin_lock(&hvsim_ports_lock);
	port = port_find(in->port_id);
	if (port) {
		list_del(&port->node);
		hvsim_pool_free(&hvsim_root_pool, port);
	} else {
		status = HV_STATUS_INVALID_PORT_ID;
	}
	spin_unlock(&hvsim_ports_lock);
	spin_unlock(&hvsim_lock);
	return status;
}

static bool doorbell_matches(const struct hvsim_port *port, u64 gpa,
			     unsigned int size, u64 value)
{
	static const unsigned int sizes[] = { 0, 1, 2, 4, 8 };
	u64 code = port->flags & HV_DOORBELL_FLAG_TRIGGER_SIZE_MASK;

	if (!port->connected || port->gpa != gpa)
		return false;
	if (code != HV_DOORBELL_FLAG_TRIGGER_SIZE_ANY && sizes[code] != size)
		return false;
	return (port->flags & HV_DOORBELL_FLAG_TRIGGER_ANY_VALUE) ||
	       port->trigger_value == value;
}

/**
 * hvsim_port_doorbell() - complete a guest write that rings a doorbell
 * @vp: the VP (its partition's lock held)
 * @exit: the interpreter's stop: a memory access to an unmapped GPA
 *
 * A write to an unmapped GPA whose value the interpreter captured and
 * that matches a connected doorbell of @vp's partition (address, size, value) queues the
 * port id in the root's event ring of the port's SINT and retires the
 * instruction.
 *
 * Return: true if the write was a doorbell (no intercept), else false.
 */
bool hvsim_port_doorbell(struct hvsim_vp *vp, const struct x86_emu_exit *exit)
{
	struct hvsim_port *port;
	u32 port_id = 0, sint = 0, perms;
	u64 pfn;

	lockdep_assert_held(&vp->partition->lock);
	if (exit->reason != X86_EXIT_MEMORY ||
	    exit->mem.access != X86_EMU_ACCESS_WRITE || !exit->mem.value_valid)
		return false;
	/* Only an unmapped GPA is a doorbell; a refused access is not */
	if (hvsim_slat_lookup(&vp->partition->slat,
			      exit->mem.gpa >> HV_HYP_PAGE_SHIFT, &pfn, &perms))
		return false;

	spin_lock(&hvsim_ports_lock);
	list_for_each_entry(port, &hvsim_ports, node) {
		if (port->connection_partition_id == vp->partition->id &&
		    doorbell_matches(port, exit->mem.gpa, exit->mem.size,
				     exit->mem.value)) {
			port->signals++;
			port_id = port->id;
			sint = port->target_sint;
			break;
		}
	}
	spin_unlock(&hvsim_ports_lock);
	if (!port_id)
		return false;

	hvsim_root_ring_signal(sint, port_id);
	vp->state.rip += exit->insn_len;
	vp->state.interrupt_shadow = 0;
	return true;
}

static int ports_show(struct seq_file *m, void *unused)
{
	struct hvsim_port *port;

	spin_lock_irq(&hvsim_ports_lock);
	list_for_each_entry(port, &hvsim_ports, node)
		seq_printf(m, "port=%u partition=0x%llx gpa=0x%llx signals=%llu\n",
			   port->id, port->connection_partition_id,
			   port->connected ? port->gpa : 0, port->signals);
	spin_unlock_irq(&hvsim_ports_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ports);

/**
 * hvsim_port_debugfs_init() - debugfs "ports": one line per port
 * @dir: hvsim's debugfs directory
 */
void hvsim_port_debugfs_init(struct dentry *dir)
{
	debugfs_create_file("ports", 0444, dir, NULL, &ports_fops);
}

#if IS_ENABLED(CONFIG_MSHV_ROOT_KUNIT_TEST)
#include "../kunit/hvsim_port_test.c"
#endif
