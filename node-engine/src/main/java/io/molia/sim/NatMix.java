package io.molia.sim;

import java.util.SplittableRandom;

import io.molia.nat.NatType;

/**
 * Which simulated nodes sit behind which NAT ({@code molia sim --nat-share S --nat-mix F/A/P/Y}): a share of the
 * nodes is behind a NAT of its own, of a type drawn from the mix (percentages of full cone, address-restricted,
 * port-restricted, symmetric; they sum to 100); the rest are public. Every NAT forgets an idle mapping after
 * {@code mappingTimeoutSeconds} (refreshed by the node's outbound datagrams).
 *
 * @param share                 fraction of the nodes behind a NAT, [0, 1]
 * @param fullCone              percentage of the NATed nodes behind a full cone
 * @param addressRestricted     percentage behind an address-restricted cone
 * @param portRestricted        percentage behind a port-restricted cone
 * @param symmetric             percentage behind a symmetric NAT
 * @param mappingTimeoutSeconds idle time after which a NAT drops a mapping
 */
public record NatMix(double share, int fullCone, int addressRestricted, int portRestricted, int symmetric,
        double mappingTimeoutSeconds) {

    /**
     * The default mix. Published crawls give the share behind NATs (≥ 52 % of IPFS nodes) and overall punch success
     * (about 70 % in IPFS), not shares per type (../shared/references: "Per NAT type: not found"); this split is an
     * assumption: mostly port-restricted home routers (Linux conntrack's default), a fifth symmetric (carrier-grade
     * NATs, some enterprise firewalls), the rest cones.
     */
    public static final String DEFAULT_MIX = "10/20/50/20";
    /** Tailscale: "mappings typically expire at 30 seconds" (../shared/references §1.4). */
    public static final double DEFAULT_MAPPING_TIMEOUT_SECONDS = 30;

    public NatMix {
        if (!(share >= 0 && share <= 1)) {
            throw new IllegalArgumentException("--nat-share must be in [0, 1]");
        }
        if (fullCone < 0 || addressRestricted < 0 || portRestricted < 0 || symmetric < 0
                || fullCone + addressRestricted + portRestricted + symmetric != 100) {
            throw new IllegalArgumentException("--nat-mix takes four percentages that sum to 100 "
                    + "(full cone/address-restricted/port-restricted/symmetric), e.g. " + DEFAULT_MIX);
        }
        if (!(mappingTimeoutSeconds > 0)) {
            throw new IllegalArgumentException("--nat-timeout must be positive (seconds)");
        }
    }

    /** {@code share} of the nodes behind NATs of the {@code mix} ("F/A/P/Y" percentages). */
    public static NatMix parse(double share, String mix, double mappingTimeoutSeconds) {
        String[] parts = mix.split("/", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("--nat-mix takes four percentages F/A/P/Y (full cone/"
                    + "address-restricted/port-restricted/symmetric), e.g. " + DEFAULT_MIX + "; got '" + mix + "'");
        }
        int[] p = new int[4];
        for (int i = 0; i < 4; i++) {
            try {
                p[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--nat-mix: '" + parts[i] + "' is not a whole percentage");
            }
        }
        return new NatMix(share, p[0], p[1], p[2], p[3], mappingTimeoutSeconds);
    }

    /** The NAT of a new node: {@link NatType#OPEN} for a public one, else one of the four types by the mix. */
    NatType draw(SplittableRandom random) {
        if (random.nextDouble() >= share) {
            return NatType.OPEN;
        }
        int r = random.nextInt(100);
        if (r < fullCone) {
            return NatType.FULL_CONE;
        }
        if (r < fullCone + addressRestricted) {
            return NatType.ADDRESS_RESTRICTED;
        }
        return r < fullCone + addressRestricted + portRestricted ? NatType.PORT_RESTRICTED : NatType.SYMMETRIC;
    }

    @Override
    public String toString() {
        return String.format("%.0f%% behind NATs (full cone %d%%, address-restricted %d%%, port-restricted %d%%, "
                + "symmetric %d%%), mappings idle out after %.0f s", share * 100, fullCone, addressRestricted,
                portRestricted, symmetric, mappingTimeoutSeconds);
    }
}
