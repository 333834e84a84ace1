package io.molia.cli;

import java.util.List;

import io.molia.core.store.RecordsConfig;
import io.molia.options.DurationConverter;
import io.molia.options.IntRange;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The record settings ({@code molia node}, {@code molia devnet}; docs/operations.md, "Record settings"): provider
 * and mutable record TTLs and republish intervals, repair, the replication probe budget and hot keys, into one
 * {@link RecordsConfig}; passed on to a devnet's node processes as the same flags. A picocli mixin.
 */
final class RecordOptions {
    @Option(names = "--provider-ttl", defaultValue = "48h", converter = DurationConverter.class,
            description = "How long this node keeps a provider record others announce (e.g. 90m, 48h; IPFS uses "
            + "48h). Default ${DEFAULT-VALUE}.")
    java.time.Duration providerTtl;

    @Option(names = "--provider-republish", defaultValue = "22h", converter = DurationConverter.class,
            description = "How often this node re-announces the keys it provides; below --provider-ttl. Default "
            + "${DEFAULT-VALUE}.")
    java.time.Duration providerRepublish;

    @Option(names = "--mutable-ttl", defaultValue = "24h", converter = DurationConverter.class,
            description = "How long this node keeps a signed mutable record unless its owner republishes it (BEP 44: "
            + "24h). Default ${DEFAULT-VALUE}.")
    java.time.Duration mutableTtl;

    @Option(names = "--mutable-republish", defaultValue = "1h", converter = DurationConverter.class,
            description = "How often this node republishes the mutable records it put as their owner; below "
            + "--mutable-ttl. Default ${DEFAULT-VALUE}.")
    java.time.Duration mutableRepublish;

    @Option(names = "--repair-interval", defaultValue = "1h", converter = DurationConverter.class,
            description = "How often this node checks that the k closest nodes it knows still hold each record it "
            + "keeps, and stores a copy where one is missing (Kademlia, IPFS: 1h). Default ${DEFAULT-VALUE}.")
    java.time.Duration repairInterval;

    @Option(names = "--replication-probes", defaultValue = "600", converter = IntRange.NonNegative.class,
            description = "Probes (does this peer hold the key?) each shard sends per minute to hand records to "
            + "newcomers, repair missing replicas and widen hot keys; the rest waits a minute; 0 stops replication. "
            + "Default ${DEFAULT-VALUE}.")
    int replicationProbes;

    @Option(names = "--hot-key-reads", defaultValue = "60", converter = IntRange.Positive.class,
            description = "Reads of one key this node answers within a minute that make it hot: it is then held by "
            + "--hot-key-extra-replicas more nodes than the k closest. Default ${DEFAULT-VALUE}.")
    int hotKeyReads;

    @Option(names = "--hot-key-extra-replicas", defaultValue = "10", converter = IntRange.NonNegative.class,
            description = "How many nodes beyond the k closest hold a hot key. Default ${DEFAULT-VALUE}.")
    int hotKeyExtraReplicas;

    @Option(names = "--blob-ttl", defaultValue = "168h", converter = DurationConverter.class,
            description = "How long this node keeps a blob fragment or manifest others pushed unless it is pushed "
            + "again (the owner's re-push, a repair); then it is removed, journaled first. Default ${DEFAULT-VALUE}.")
    java.time.Duration blobTtl;

    /** The settings the flags give; a republish interval not below its TTL, or no repair interval, is a usage error. */
    RecordsConfig recordsConfig(CommandLine command) {
        if (providerRepublish.isZero() || providerRepublish.compareTo(providerTtl) >= 0) {
            throw new CommandLine.ParameterException(command, "--provider-republish (" + providerRepublish
                    .toSeconds() + " s) must be above 0 and below --provider-ttl (" + providerTtl.toSeconds() + " s)");
        }
        if (mutableRepublish.isZero() || mutableRepublish.compareTo(mutableTtl) >= 0) {
            throw new CommandLine.ParameterException(command, "--mutable-republish (" + mutableRepublish
                    .toSeconds() + " s) must be above 0 and below --mutable-ttl (" + mutableTtl.toSeconds() + " s)");
        }
        if (repairInterval.isZero()) {
            throw new CommandLine.ParameterException(command, "--repair-interval must be above 0");
        }
        if (blobTtl.isZero()) {
            throw new CommandLine.ParameterException(command, "--blob-ttl must be above 0");
        }
        return RecordsConfig.defaults().withProviderTimes(providerTtl.toNanos(), providerRepublish.toNanos())
                .withMutableTimes(mutableTtl.toNanos(), mutableRepublish.toNanos())
                .withReplication(repairInterval.toNanos(), replicationProbes, hotKeyReads, hotKeyExtraReplicas)
                .withBlobTtl(blobTtl.toNanos());
    }

    /** The same settings for a child {@code molia node}, in seconds (the flags take 90s as well as 2h). */
    List<String> asFlags() {
        return List.of("--provider-ttl", providerTtl.toSeconds() + "s", "--provider-republish",
                providerRepublish.toSeconds() + "s", "--mutable-ttl", mutableTtl.toSeconds() + "s",
                "--mutable-republish", mutableRepublish.toSeconds() + "s", "--repair-interval",
                repairInterval.toSeconds() + "s", "--replication-probes", Integer.toString(replicationProbes),
                "--hot-key-reads", Integer.toString(hotKeyReads), "--hot-key-extra-replicas",
                Integer.toString(hotKeyExtraReplicas), "--blob-ttl", blobTtl.toSeconds() + "s");
    }
}
