package io.molia.sim;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * What the simulator's Sybils do with the requests they receive ({@code molia sim --sybil-behaviour}). Every Sybil
 * first joined as an honest node would (it answered, so it sits in honest tables); then:
 */
public enum SybilBehaviour {
    /**
     * Every answer names only Sybils, the closest to the request's target the attackers hold (they collude); a record
     * is never returned; writes are acknowledged as stored and thrown away.
     */
    ONLY_SYBILS("only-sybils"),
    /** Requests are received and never answered. */
    DROP("drop"),
    /**
     * As {@link #ONLY_SYBILS}, but a read is answered with a forged record: a value that is not the key's, a mutable
     * record of the key's owner with a higher seq and another value under a signature the owner never made.
     */
    WRONG_VALUE("wrong-value"),
    /** An honest node's answers, each {@link #SLOW_ANSWER_MS} late: past a hedge and the copy's timeout. */
    SLOW("slow");

    /** How late a {@link #SLOW} Sybil answers: past the 99th percentile of first contacts, within the hard timeout. */
    public static final int SLOW_ANSWER_MS = 1_000;

    private final String flag;

    SybilBehaviour(String flag) {
        this.flag = flag;
    }

    public String flag() {
        return flag;
    }

    /** Whether the simulator answers for these Sybils itself (their protocol core never sees a request). */
    boolean forgesAnswers() {
        return this == ONLY_SYBILS || this == WRONG_VALUE;
    }

    /** The behaviour a {@code --sybil-behaviour} value names; a one-line error naming the choices otherwise. */
    public static SybilBehaviour parse(String flag) {
        for (SybilBehaviour b : values()) {
            if (b.flag.equals(flag)) {
                return b;
            }
        }
        throw new IllegalArgumentException("--sybil-behaviour: expected one of " + Arrays.stream(values())
                .map(SybilBehaviour::flag).collect(Collectors.joining(", ")) + ", got '" + flag + "'");
    }
}
