package org.vigil.kernel.spi;

import org.vigil.kernel.api.RingId;

/**
 * A quorum device's poll: the device provider tells votequorum whether its vote counts for a ring, as
 * corosync-qdevice calls {@code votequorum_qdevice_poll}. The device provider sends one at least every half
 * {@code quorum.device.timeout}; without a poll for a whole timeout votequorum stops counting the device's vote.
 * A poll for another ring than votequorum's current one is refused, so a vote never carries over a membership
 * change by accident.
 *
 * @param name       the device's name (1..64 bytes of UTF-8), e.g. {@code Qdevice}
 * @param ring       the ring the vote applies to
 * @param castVote   whether the device's vote counts for {@code ring}
 * @param masterWins whether the device asks for master_wins ({@code quorum.device.master_wins})
 */
public record DevicePoll(String name, RingId ring, boolean castVote, boolean masterWins) {

    public DevicePoll {
        if (name == null || name.isEmpty() || name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 64) {
            throw new IllegalArgumentException("device name must be 1..64 bytes");
        }
        if (ring == null) {
            throw new IllegalArgumentException("ring is required");
        }
    }
}
