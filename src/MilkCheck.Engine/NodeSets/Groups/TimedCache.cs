namespace MilkCheck.NodeSets;

/// <summary>
/// Per-source cache of upcall results with one lifetime for every entry. Entries are purged lazily, when read after
/// they expired (as upstream does), so an idle long-running process pays nothing. Thread-safe through one lock; the
/// lock is never held while a command runs, so two threads missing the same key may both run it (harmless: upcalls
/// are queries).
/// </summary>
internal sealed class TimedCache<TKey, TValue>
    where TKey : notnull
{
    private readonly object _gate = new();
    private readonly Dictionary<TKey, (TValue Value, DateTimeOffset Expiry)> _entries;
    private readonly TimeSpan _lifetime;
    private readonly TimeProvider _timeProvider;

    public TimedCache(TimeSpan lifetime, TimeProvider timeProvider, IEqualityComparer<TKey>? comparer = null)
    {
        _lifetime = lifetime;
        _timeProvider = timeProvider;
        _entries = new Dictionary<TKey, (TValue, DateTimeOffset)>(comparer);
    }

    public bool TryGet(TKey key, out TValue value)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(key, out var entry))
            {
                if (entry.Expiry >= _timeProvider.GetUtcNow())
                {
                    value = entry.Value;
                    return true;
                }

                _entries.Remove(key);
            }
        }

        value = default!;
        return false;
    }

    public void Set(TKey key, TValue value)
    {
        DateTimeOffset expiry = AddSaturating(_timeProvider.GetUtcNow(), _lifetime);
        lock (_gate)
        {
            _entries[key] = (value, expiry);
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _entries.Clear();
        }
    }

    /// <summary>now + lifetime, clamped: cache_time may be huge (or inf) and must not overflow DateTimeOffset.</summary>
    internal static DateTimeOffset AddSaturating(DateTimeOffset now, TimeSpan lifetime)
    {
        if (lifetime >= DateTimeOffset.MaxValue - now)
        {
            return DateTimeOffset.MaxValue;
        }

        if (lifetime <= DateTimeOffset.MinValue - now)
        {
            return DateTimeOffset.MinValue;
        }

        return now + lifetime;
    }
}
