package org.vigil.kernel.api;

import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The node's in-memory typed key/value store, as corosync's cmap: configuration ({@code totem.*},
 * {@code nodelist.*}, {@code quorum.*}, ...), runtime state ({@code runtime.*}) and statistics ({@code stats.*}).
 * It is per node and not replicated.
 *
 * <p>Keys are 3 to 255 characters from {@code [A-Za-z0-9._/:-]}. Thread-safe; every single-key operation is
 * atomic. Listeners run synchronously after the change (see {@link CmapListener}).
 *
 * <p>The read-only rules corosync applies to administrators ({@link #isReadOnly}) are enforced by the admin
 * commands, not by this API: bundles are trusted and may write {@code runtime.*} state.
 */
@ProviderType
public interface Cmap {

    /** The entry for {@code key}, if present. */
    Optional<CmapEntry> get(String key);

    /**
     * Sets a key, creating it or replacing its value and type.
     *
     * @throws CmapException {@code INVALID_PARAM} for a bad key name, a value of the wrong class or out of the
     *                       type's range, {@code NAME_TOO_LONG} for a key over 255 characters
     */
    void set(String key, CmapType type, Object value);

    /** Shorthand for {@code set(key, UINT32, value)}. */
    default void setU32(String key, long value) {
        set(key, CmapType.UINT32, value);
    }

    /** Shorthand for {@code set(key, STRING, value)}. */
    default void setString(String key, String value) {
        set(key, CmapType.STRING, value);
    }

    /**
     * Adds {@code delta} to an integer key atomically, wrapping within its type; creates a missing key as
     * {@code UINT64} 0 first.
     *
     * @return the new value
     * @throws CmapException {@code INVALID_PARAM} if the key exists with a non-integer type
     */
    long add(String key, long delta);

    /**
     * Deletes a key.
     *
     * @return true if it existed
     */
    boolean delete(String key);

    /** All entries whose key starts with {@code prefix} (empty prefix: all), sorted by key. */
    List<CmapEntry> iterate(String prefix);

    /**
     * Tracks changes to {@code keyOrPrefix}. With {@code prefix} false only that exact key is tracked.
     *
     * @return a handle whose {@code close()} stops tracking
     */
    AutoCloseable track(String keyOrPrefix, boolean prefix, CmapListener listener);

    /** True when corosync would refuse an administrator's write to {@code key} ({@code CS_ERR_ACCESS}). */
    boolean isReadOnly(String key);
}
