/* SPDX-License-Identifier: MIT */
/*
 * One fuzz input against the attach path: shared by the libFuzzer target
 * (fuzz_region.c), the corpus replayer (replay.c) and the seed maker
 * (make-seeds.c), which writes inputs in this format.
 *
 * An input is three parts, all integers little-endian:
 *
 *   control  FZ_CTL_SIZE bytes
 *     [0]     mode: bits 0-1 size rule (enum fz_size), bit 2 FZ_BUILT
 *     [1]     built ring: log2(capacity) - 1, modulo 16 (capped by size)
 *     [2..3]  built ring: msg_size - 1, modulo FZ_BUILT_MSG_MAX
 *     [4]     built ring: SHMRING_MP | SHMRING_MC
 *     [5]     reserved
 *     [6..7]  length of the script in bytes
 *     [8..11] signed adjustment of the object size (FZ_SIZE_ADJUST)
 *   script   a sequence of operations (enum fz_op), each an opcode byte
 *            followed by its arguments; reading past the end gives zeros
 *   region   the bytes of the shared-memory object (raw mode); ignored for
 *            a built ring, which shmring_create() makes from the control
 *
 * Everything is reduced modulo its range, so every input is valid.
 */
#ifndef SHR_FUZZ_ONE_INPUT_H
#define SHR_FUZZ_ONE_INPUT_H

#include <stddef.h>
#include <stdint.h>

#define FZ_CTL_SIZE       12
#define FZ_BUILT          (1u << 2)
#define FZ_BUILT_MSG_MAX  1024u
#define FZ_MAX_OBJECT     (2u << 20)   /* objects are capped: executions stay fast */
#define FZ_HANDLES        3
#define FZ_MAX_BURST      8

/* How the object is sized from the region bytes (mode bits 0-1). */
enum fz_size {
	FZ_SIZE_EXACT,       /* the number of region bytes */
	FZ_SIZE_ADJUST,      /* that plus the control's adjustment */
	FZ_SIZE_HEADER,      /* geom.region_size of the bytes, zero-extended */
	FZ_SIZE_PAGE,        /* rounded up to 4 KiB, zero-extended */
};

/*
 * Operations.  H is a handle byte: slot H % FZ_HANDLES, except for
 * FZ_OP_OPEN: slot (H & 3) % FZ_HANDLES, role 1 + (H >> 2) % 3.  T is a
 * timeout byte, modulo 8: 2 is 1 ms (at most 4 an input, then 1 us), 3 and
 * 7 are 1 us, 6 is the invalid -2, the rest NOWAIT.  L is a length: a byte
 * below 240, else the u16 that follows; the byte 0 passes a NULL buffer.
 */
enum fz_op {
	FZ_OP_OPEN,          /* H */
	FZ_OP_CLOSE,         /* H */
	FZ_OP_SEND,          /* H L T */
	FZ_OP_RECV,          /* H L T        (L: buffer size) */
	FZ_OP_SEND_BURST,    /* H n L... T   (n: 1 + byte % FZ_MAX_BURST) */
	FZ_OP_RECV_BURST,    /* H n L... T */
	FZ_OP_CLAIM,         /* H T */
	FZ_OP_PUBLISH,       /* H how L      (how % 4: 0, 1 len L; 2 too long; 3 bad token) */
	FZ_OP_PEEK,          /* H T */
	FZ_OP_RELEASE,       /* H how        (how % 4 == 3: bad token) */
	FZ_OP_INFO,          /* H */
	FZ_OP_STAT,          /* - */
	FZ_OP_WRITE,         /* off32 n8 bytes[n]: scribble on the object */
	FZ_OP_FILL,          /* off32 n16 byte */
	FZ_OP_POKE,          /* field index16 vmode arg: one header or slot word */
	FZ_OP_RACE,          /* field index16 vmode arg vmode arg: toggle during the next op */
	FZ_OP_POKE_MANY,     /* field index16 n8 vmode arg: the field of 1 + n8 entries or slots */
	FZ_OP_POLL,          /* H what n8: up to 1 + 4 * n8 NOWAIT sends (what even) or recvs */
	FZ_OP_DIE,           /* how n8: a child attaches, sends or receives n8 % 8, may claim or peek, dies */
	FZ_NOPS
};

/* Words FZ_OP_POKE can set (one byte, modulo FZ_NFIELDS). */
enum fz_field {
	FZ_F_MAGIC, FZ_F_VERSION, FZ_F_HDR_SIZE, FZ_F_REGION_SIZE, FZ_F_CAPACITY,
	FZ_F_MSG_SIZE, FZ_F_SLOT_SIZE, FZ_F_FLAGS, FZ_F_MAX_ATTACH,
	FZ_F_PROD_POS, FZ_F_DATA_SEQ, FZ_F_PROD_CLAIM_HOLD,
	FZ_F_CONS_POS, FZ_F_CONS_PEEK_HOLD, FZ_F_SPACE_SEQ,
	FZ_F_SP_OWNER, FZ_F_SC_OWNER, FZ_F_NPROD, FZ_F_NCONS, FZ_F_EVER,
	FZ_F_ABANDONED_PROD, FZ_F_ABANDONED_CONS, FZ_F_PRODUCER_SLEEPS,
	FZ_F_CONSUMER_SLEEPS, FZ_F_DISCARDED,
	FZ_F_ATT_OWNER, FZ_F_ATT_PROD_HOLD, FZ_F_ATT_CONS_HOLD,
	FZ_F_ATT_CLAIM_HOLD, FZ_F_ATT_PEEK_HOLD,       /* index % SHR_MAX_ATTACH */
	FZ_F_SLOT_SEQ, FZ_F_SLOT_LEN,                  /* index % capacity */
	FZ_F_PROD_FULL_FROM,       /* last, so that older inputs keep their meaning */
	FZ_NFIELDS
};

/* How a poked value is made (one byte, modulo FZ_NVMODES), and its argument. */
enum fz_vmode {
	FZ_V_RAW,            /* u64 */
	FZ_V_DELTA,          /* s8: the word's value plus it */
	FZ_V_CONST,          /* u8: an interesting value (capacity, -1, identities...) */
	FZ_V_PROD_REL,       /* s8: prod.pos plus it */
	FZ_V_CONS_REL,       /* s8: cons.pos plus it */
	FZ_V_HOLD,           /* s8 u8: a hold of (cons.pos + s8) for 1 + u8 positions */
	FZ_NVMODES
};

/*
 * Runs one input: never crashes on its own account; aborts (a finding) when
 * the library breaks its promise: a call outlives its timeout, returns an
 * error it does not document, or hands back a pointer or length outside the
 * region or the caller's buffers.
 */
int fuzz_one_input(const uint8_t *data, size_t size);

#endif /* SHR_FUZZ_ONE_INPUT_H */
