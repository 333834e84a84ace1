package io.molia.transport;

import io.molia.contact.NodeAddress;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;

/**
 * One shard's datagrams through Netty's channel: each read arrives as a {@link DatagramPacket} (the handler copies
 * it out and converts its sender through an {@link InetAddressCache}), each write leaves as one. Where the direct
 * path runs, the channel reads nothing itself (auto-read off) and only this handler's class is shared.
 */
final class ChannelDatagrams extends SimpleChannelInboundHandler<DatagramPacket> implements DatagramPath {
    private final int shard;
    private final ShardReceiver receiver;
    private final InetAddressCache addresses = new InetAddressCache();
    private final byte[] rx = new byte[UdpTransport.MAX_DATAGRAM_BYTES];
    private Channel channel;

    ChannelDatagrams(int shard, ShardReceiver receiver) {
        this.shard = shard;
        this.receiver = receiver;
    }

    /** The channel this handler reads for and writes to, once bound. */
    void bound(Channel boundChannel) {
        channel = boundChannel;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        ByteBuf data = packet.content();
        int len = Math.min(data.readableBytes(), rx.length);
        data.getBytes(data.readerIndex(), rx, 0, len);
        receiver.onDatagram(shard, addresses.toNodeAddress(packet.sender()), rx, 0, len);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        receiver.onReadBatchEnd(shard);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A socket error (e.g. ICMP port unreachable surfaced by the kernel) is not a reason to stop serving.
    }

    /** Copies into a buffer of the channel's (pooled, direct) allocator: {@code data} is the caller's again at once. */
    @Override
    public void write(NodeAddress to, byte[] data, int off, int len) {
        ByteBuf buf = channel.alloc().directBuffer(len, len).writeBytes(data, off, len);
        channel.write(new DatagramPacket(buf, addresses.toInet(to)), channel.voidPromise());
    }

    /** One sendmmsg(2) for many with epoll. */
    @Override
    public void flush() {
        channel.flush();
    }

    /** Nothing beside the channel, which the transport closes. */
    @Override
    public void close() {
    }

    /** Not counted: Netty fails such a write on the void promise, which reports nothing per write. */
    @Override
    public long sendDrops() {
        return -1;
    }
}
