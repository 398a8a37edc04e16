namespace MilkCheck.Scheduling;

/// <summary>
/// The one global cap on in-flight node commands (spec §4.2.6): its value is the smallest <c>fanout</c> of the
/// actions currently running (an action without one, or with 0, counts as the default), so an action with
/// <c>fanout: 1</c> slows everything running beside it, as upstream. Waiters queue in order; nothing polls.
/// One per run.
/// </summary>
internal sealed class FanoutLimiter
{
    private readonly int _default;
    private readonly object _gate = new();
    private readonly List<int> _registered = new();
    private readonly LinkedList<TaskCompletionSource<IDisposable>> _waiters = new();
    private int _inFlight;

    public FanoutLimiter(int defaultFanout)
    {
        if (defaultFanout < 1)
            throw new ArgumentOutOfRangeException(nameof(defaultFanout), defaultFanout, "A fanout is at least 1.");
        _default = defaultFanout;
    }

    public int CurrentLimit
    {
        get
        {
            lock (_gate)
                return Limit();
        }
    }

    public int InFlight
    {
        get
        {
            lock (_gate)
                return _inFlight;
        }
    }

    /// <summary>An action starts (its delay included): its fanout joins the minimum until disposed.</summary>
    public IDisposable Register(int? fanout)
    {
        int value = fanout is > 0 ? fanout.Value : _default;
        lock (_gate)
            _registered.Add(value);
        return new Release(() =>
        {
            lock (_gate)
                _registered.Remove(value);
            WakeWaiters();
        });
    }

    /// <summary>Waits for a command slot; dispose the result when the command is over.</summary>
    public Task<IDisposable> AcquireAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        LinkedListNode<TaskCompletionSource<IDisposable>> node;
        lock (_gate)
        {
            if (_waiters.Count == 0 && _inFlight < Limit())
            {
                _inFlight++;
                return Task.FromResult(NewSlot());
            }
            node = _waiters.AddLast(new TaskCompletionSource<IDisposable>(TaskCreationOptions.RunContinuationsAsynchronously));
        }
        if (cancellationToken.CanBeCanceled)
        {
            CancellationTokenRegistration registration = cancellationToken.Register(() =>
            {
                bool removed;
                lock (_gate)
                {
                    removed = node.List is not null;
                    if (removed)
                        _waiters.Remove(node);
                }
                if (removed)
                    node.Value.TrySetCanceled(cancellationToken);
            });
            node.Value.Task.ContinueWith(_ => registration.Dispose(), TaskScheduler.Default);
        }
        return node.Value.Task;
    }

    private int Limit()
    {
        int limit = _default;
        foreach (int fanout in _registered)
            limit = Math.Min(limit, fanout);
        return limit;
    }

    private IDisposable NewSlot() => new Release(() =>
    {
        lock (_gate)
            _inFlight--;
        WakeWaiters();
    });

    private void WakeWaiters()
    {
        var ready = new List<TaskCompletionSource<IDisposable>>();
        lock (_gate)
        {
            while (_waiters.First is { } first && _inFlight < Limit())
            {
                _waiters.RemoveFirst();
                _inFlight++;
                ready.Add(first.Value);
            }
        }
        // Completed outside the lock; continuations run asynchronously anyway.
        foreach (TaskCompletionSource<IDisposable> waiter in ready)
            waiter.SetResult(NewSlot());
    }

    private sealed class Release : IDisposable
    {
        private Action? _action;

        public Release(Action action) => _action = action;

        public void Dispose() => Interlocked.Exchange(ref _action, null)?.Invoke();
    }
}
