namespace MilkCheck.Execution.Ssh;

/// <summary>
/// Runs one of SSH.NET's synchronous network steps (key exchange and authentication; a channel's open and exec
/// request) on a thread of its own that ends with it, never on a thread-pool thread: those steps wait on
/// handles (WaitHandle.WaitAny) until the server answers, and SSH.NET offers no asynchronous form of them.
/// Parked pool threads starve the pool of the PowerShell process the module lives in (the pool grows by about
/// one thread per half second); a dedicated thread costs tens of microseconds to start and leaves the pool alone.
/// </summary>
internal static class BlockingCall
{
    public static Task<T> RunAsync<T>(string name, Func<T> call)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                completion.TrySetResult(call());
            }
            catch (Exception e)
            {
                completion.TrySetException(e);
            }
        })
        {
            IsBackground = true,
            Name = name,
        };
        thread.UnsafeStart();
        return completion.Task;
    }
}
