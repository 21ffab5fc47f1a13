package org.vigil.kernel.internal.cmap;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.kernel.api.Cmap;
import org.vigil.kernel.api.CmapEntry;
import org.vigil.kernel.api.CmapEvent;
import org.vigil.kernel.api.CmapException;
import org.vigil.kernel.api.CmapListener;
import org.vigil.kernel.api.CmapType;

/**
 * The cmap implementation: a sorted concurrent map plus trackers. Writes to one key are serialized (the store
 * locks per operation) so listeners see the changes of a key in order. Plain Java; the kernel publishes it as
 * the {@link Cmap} service.
 */
@Component(service = Cmap.class, immediate = true)
public final class CmapStore implements Cmap {

    private static final Logger LOG = LoggerFactory.getLogger("vigil.CMAP");

    /** Prefixes corosync makes read-only for administrators ({@code main.c}, {@code icmap_set_ro_access}). */
    private static final List<String> RO_PREFIXES = List.of("internal_configuration.", "runtime.services.",
        "runtime.config.", "runtime.totem.", "uidgid.config.", "system.", "nodelist.", "stats.");
    private static final List<String> RO_KEYS = List.of("totem.crypto_cipher", "totem.crypto_hash",
        "totem.crypto_model", "totem.keyfile", "totem.key", "totem.secauth", "totem.ip_version", "totem.rrp_mode",
        "totem.transport", "totem.cluster_name", "totem.netmtu", "totem.threads", "totem.version", "totem.nodeid",
        "totem.clear_node_high_bit", "quorum.allow_downscale", "quorum.wait_for_all", "quorum.last_man_standing",
        "quorum.last_man_standing_window", "quorum.expected_votes_tracking", "quorum.auto_tie_breaker",
        "quorum.auto_tie_breaker_node");

    private final ConcurrentSkipListMap<String, CmapEntry> map = new ConcurrentSkipListMap<>();
    private final List<Tracker> trackers = new CopyOnWriteArrayList<>();
    private final Object writeLock = new Object();

    private record Tracker(String key, boolean prefix, CmapListener listener) {
        boolean matches(String k) {
            return prefix ? k.startsWith(key) : k.equals(key);
        }
    }

    @Override
    public Optional<CmapEntry> get(String key) {
        return Optional.ofNullable(map.get(key));
    }

    @Override
    public void set(String key, CmapType type, Object value) {
        checkKey(key);
        CmapEntry entry = new CmapEntry(key, type, normalize(key, type, value));
        CmapEntry old;
        synchronized (writeLock) {
            old = map.put(key, entry);
        }
        if (old == null) {
            fire(new CmapEvent(CmapEvent.Kind.ADD, key, entry, null));
        } else if (!old.equals(entry)) {
            fire(new CmapEvent(CmapEvent.Kind.MODIFY, key, entry, old));
        }
    }

    @Override
    public long add(String key, long delta) {
        checkKey(key);
        CmapEntry old;
        CmapEntry now;
        synchronized (writeLock) {
            old = map.get(key);
            if (old != null && !old.type().isInteger()) {
                throw new CmapException(CmapException.Error.INVALID_PARAM,
                    "key " + key + " has type " + old.type().shortName() + ", not an integer type");
            }
            CmapType type = old == null ? CmapType.UINT64 : old.type();
            long v = wrap(type, (old == null ? 0 : old.longValue()) + delta);
            now = new CmapEntry(key, type, v);
            map.put(key, now);
        }
        fire(old == null ? new CmapEvent(CmapEvent.Kind.ADD, key, now, null)
            : new CmapEvent(CmapEvent.Kind.MODIFY, key, now, old));
        return now.longValue();
    }

    @Override
    public boolean delete(String key) {
        CmapEntry old;
        synchronized (writeLock) {
            old = map.remove(key);
        }
        if (old != null) {
            fire(new CmapEvent(CmapEvent.Kind.DELETE, key, null, old));
        }
        return old != null;
    }

    @Override
    public List<CmapEntry> iterate(String prefix) {
        Map<String, CmapEntry> view = prefix.isEmpty() ? map : map.subMap(prefix, true, prefix + Character.MAX_VALUE,
            false);
        return new ArrayList<>(view.values());
    }

    @Override
    public AutoCloseable track(String keyOrPrefix, boolean prefix, CmapListener listener) {
        Tracker t = new Tracker(keyOrPrefix, prefix, listener);
        trackers.add(t);
        return () -> trackers.remove(t);
    }

    @Override
    public boolean isReadOnly(String key) {
        if (RO_KEYS.contains(key)) {
            return true;
        }
        for (String p : RO_PREFIXES) {
            if (key.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    private void fire(CmapEvent e) {
        for (Tracker t : trackers) {
            if (t.matches(e.key())) {
                try {
                    t.listener().changed(e);
                } catch (RuntimeException ex) {
                    LOG.warn("cmap tracker for {} failed on {}: {}", t.key(), e.key(), ex.toString());
                }
            }
        }
    }

    /** corosync's key rule: 3..255 characters from {@code [A-Za-z0-9._/:-]}. */
    public static void checkKey(String key) {
        if (key == null || key.length() < 3) {
            throw new CmapException(CmapException.Error.INVALID_PARAM,
                "key name '" + key + "' is too short (at least 3 characters)");
        }
        if (key.length() > 255) {
            throw new CmapException(CmapException.Error.NAME_TOO_LONG, "key name is longer than 255 characters");
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.'
                || c == '_' || c == '/' || c == ':' || c == '-';
            if (!ok) {
                throw new CmapException(CmapException.Error.INVALID_PARAM,
                    "key name '" + key + "' contains an invalid character at position " + (i + 1));
            }
        }
    }

    private static Object normalize(String key, CmapType type, Object value) {
        if (value == null) {
            throw new CmapException(CmapException.Error.INVALID_PARAM, key + ": null value");
        }
        if (type.isInteger()) {
            if (!(value instanceof Number n) || value instanceof Float || value instanceof Double) {
                throw new CmapException(CmapException.Error.INVALID_PARAM, key + ": " + type.shortName()
                    + " needs an integer value, got " + value.getClass().getSimpleName());
            }
            long v = n.longValue();
            if (type != CmapType.UINT64 && type != CmapType.INT64 && (v < type.min() || v > type.max())) {
                throw new CmapException(CmapException.Error.INVALID_PARAM,
                    key + ": " + v + " is out of range for " + type.shortName());
            }
            return v;
        }
        return switch (type) {
            case FLOAT -> {
                if (!(value instanceof Number n)) {
                    throw new CmapException(CmapException.Error.INVALID_PARAM, key + ": flt needs a number");
                }
                yield n.floatValue();
            }
            case DOUBLE -> {
                if (!(value instanceof Number n)) {
                    throw new CmapException(CmapException.Error.INVALID_PARAM, key + ": dbl needs a number");
                }
                yield n.doubleValue();
            }
            case STRING -> {
                if (!(value instanceof String)) {
                    throw new CmapException(CmapException.Error.INVALID_PARAM, key + ": str needs a string");
                }
                yield value;
            }
            case BINARY -> {
                if (!(value instanceof byte[])) {
                    throw new CmapException(CmapException.Error.INVALID_PARAM, key + ": bin needs bytes");
                }
                yield value;
            }
            default -> throw new IllegalStateException();
        };
    }

    private static long wrap(CmapType type, long v) {
        return switch (type) {
            case INT8 -> (byte) v;
            case UINT8 -> v & 0xFF;
            case INT16 -> (short) v;
            case UINT16 -> v & 0xFFFF;
            case INT32 -> (int) v;
            case UINT32 -> v & 0xFFFF_FFFFL;
            default -> v;
        };
    }
}
