package io.molia.node;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import io.molia.shard.ShardMessage;
import io.netty.channel.EventLoop;
import org.jctools.queues.MpscArrayQueue;

/**
 * One shard's inbox: a bounded lock-free MPSC queue other shards offer {@link ShardMessage}s to, drained on the shard's
 * own event loop (DESIGN §3.2: no lock is shared between shards). A full inbox drops, as a full socket buffer would.
 */
final class ShardInbox {
    static final int CAPACITY = 8_192;

    private final MpscArrayQueue<ShardMessage> queue = new MpscArrayQueue<>(CAPACITY);
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final EventLoop loop;
    private final Consumer<ShardMessage> handler;
    private final Runnable afterDrain;
    private final Runnable drain = this::drain;
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    /** {@code handler} takes each handover on {@code loop}; {@code afterDrain} runs once the queue is empty. */
    ShardInbox(EventLoop loop, Consumer<ShardMessage> handler, Runnable afterDrain) {
        this.loop = loop;
        this.handler = handler;
        this.afterDrain = afterDrain;
    }

    /** Called on any thread: queues {@code h} and wakes the owner's loop; false (counted) when the inbox is full. */
    boolean offer(ShardMessage h) {
        if (!queue.offer(h)) {
            dropped.incrementAndGet();
            return false;
        }
        accepted.incrementAndGet();
        if (drainScheduled.compareAndSet(false, true)) {
            loop.execute(drain);
        }
        return true;
    }

    private void drain() {
        drainScheduled.set(false); // before polling: an offer racing with this drain schedules another one
        ShardMessage h;
        while ((h = queue.poll()) != null) {
            handler.accept(h);
        }
        afterDrain.run();
    }

    long accepted() {
        return accepted.get();
    }

    long dropped() {
        return dropped.get();
    }
}
