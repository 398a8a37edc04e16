using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace MilkCheck.NodeSets;

/// <summary>
/// A group source backed by shell commands (a groups.conf section): <c>map</c> (required), <c>all</c>, <c>list</c>
/// and <c>reverse</c>. Each command runs as <c>/bin/sh -c</c> in <see cref="ConfigurationDirectory"/>, with stdin
/// empty, after Template-style substitution of <c>$GROUP</c>, <c>$NODE</c>, <c>$CFGDIR</c> and <c>$SOURCE</c>.
/// Results are cached in this instance for <see cref="CacheTime"/>. Thread-safe.
/// </summary>
public sealed class UpcallGroupSource : IGroupSource
{
    /// <summary>Upstream's default <c>cache_time</c>.</summary>
    public static readonly TimeSpan DefaultCacheTime = TimeSpan.FromSeconds(3600);

    private const int MaxStandardErrorInMessage = 2000;

    // Upstream's illegal_chars for group names coming back from list/reverse.
    private static readonly char[] IllegalGroupNameChars = ['@', ',', '!', '&', '^', '*'];

    private readonly TimeProvider _timeProvider;
    private readonly TimedCache<string, string> _mapCache;
    private readonly TimedCache<string, IReadOnlyList<string>> _reverseCache;
    private readonly TimedCache<string, string> _allCache;
    private readonly TimedCache<string, IReadOnlyList<string>> _listCache;

    /// <param name="name">Source name, substituted for <c>$SOURCE</c>.</param>
    /// <param name="mapCommand">Prints the nodes of <c>$GROUP</c>.</param>
    /// <param name="allCommand">Prints all nodes; null when the source has none.</param>
    /// <param name="listCommand">Prints the group names; null when the source has none.</param>
    /// <param name="reverseCommand">Prints the groups of <c>$NODE</c>; null when the source has none.</param>
    /// <param name="configurationDirectory">Working directory and <c>$CFGDIR</c>; null keeps the process's
    /// working directory and leaves <c>$CFGDIR</c> unsubstituted.</param>
    /// <param name="cacheTime">How long results are reused; null means <see cref="DefaultCacheTime"/>.</param>
    /// <param name="timeProvider">Clock for cache expiry (tests pass a fake); null means the system clock.</param>
    public UpcallGroupSource(
        string name,
        string mapCommand,
        string? allCommand = null,
        string? listCommand = null,
        string? reverseCommand = null,
        string? configurationDirectory = null,
        TimeSpan? cacheTime = null,
        TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(mapCommand);
        Name = name;
        MapCommand = mapCommand;
        // Upstream treats an empty option as "no upcall" (if all_upcall: ...), so do we.
        AllCommand = string.IsNullOrWhiteSpace(allCommand) ? null : allCommand;
        ListCommand = string.IsNullOrWhiteSpace(listCommand) ? null : listCommand;
        ReverseCommand = string.IsNullOrWhiteSpace(reverseCommand) ? null : reverseCommand;
        ConfigurationDirectory = string.IsNullOrEmpty(configurationDirectory) ? null : configurationDirectory;
        CacheTime = cacheTime ?? DefaultCacheTime;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _mapCache = new TimedCache<string, string>(CacheTime, _timeProvider, StringComparer.Ordinal);
        _reverseCache = new TimedCache<string, IReadOnlyList<string>>(CacheTime, _timeProvider, StringComparer.Ordinal);
        _allCache = new TimedCache<string, string>(CacheTime, _timeProvider, StringComparer.Ordinal);
        _listCache = new TimedCache<string, IReadOnlyList<string>>(CacheTime, _timeProvider, StringComparer.Ordinal);
    }

    public string Name { get; }

    public string MapCommand { get; }

    public string? AllCommand { get; }

    public string? ListCommand { get; }

    public string? ReverseCommand { get; }

    public string? ConfigurationDirectory { get; }

    public TimeSpan CacheTime { get; }

    /// <summary>Drops every cached result whatever its age (upstream's <c>clear_cache()</c>).</summary>
    public void ClearCache()
    {
        _mapCache.Clear();
        _reverseCache.Clear();
        _allCache.Clear();
        _listCache.Clear();
    }

    // The interface is synchronous because the node set parser is; blocking here is safe: every await below uses
    // ConfigureAwait(false), so no continuation needs the caller's (blocked) thread.
    public string Map(string group, CancellationToken cancellationToken = default) =>
        MapAsync(group, cancellationToken).GetAwaiter().GetResult();

    public string? All(CancellationToken cancellationToken = default) =>
        AllAsync(cancellationToken).GetAwaiter().GetResult();

    public IReadOnlyList<string>? List(CancellationToken cancellationToken = default) =>
        ListAsync(cancellationToken).GetAwaiter().GetResult();

    public IReadOnlyList<string>? Reverse(string node, CancellationToken cancellationToken = default) =>
        ReverseAsync(node, cancellationToken).GetAwaiter().GetResult();

    /// <summary>Nodes of <paramref name="group"/>: output tokens (lines split on whitespace) joined with <c>,</c>.</summary>
    /// <exception cref="GroupResolverException">QueryFailed when the command fails.</exception>
    public async Task<string> MapAsync(string group, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(group);
        if (_mapCache.TryGet(group, out string? cached))
        {
            return cached;
        }

        string output = await RunAsync("map", MapCommand, ("GROUP", group), cancellationToken).ConfigureAwait(false);
        string nodes = JoinNodeTokens(output);
        _mapCache.Set(group, nodes);
        return nodes;
    }

    /// <summary>All nodes, or null when there is no <c>all</c> command.</summary>
    public async Task<string?> AllAsync(CancellationToken cancellationToken = default)
    {
        if (AllCommand is null)
        {
            return null;
        }

        if (_allCache.TryGet("all", out string? cached))
        {
            return cached;
        }

        string output = await RunAsync("all", AllCommand, null, cancellationToken).ConfigureAwait(false);
        string nodes = JoinNodeTokens(output);
        _allCache.Set("all", nodes);
        return nodes;
    }

    /// <summary>Group name tokens, or null when there is no <c>list</c> command.</summary>
    /// <exception cref="GroupResolverException">QueryFailed, or IllegalName for a name with <c>@ , ! &amp; ^ *</c>.</exception>
    public async Task<IReadOnlyList<string>?> ListAsync(CancellationToken cancellationToken = default)
    {
        if (ListCommand is null)
        {
            return null;
        }

        if (_listCache.TryGet("list", out IReadOnlyList<string>? cached))
        {
            return cached;
        }

        string output = await RunAsync("list", ListCommand, null, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<string> groups = SplitGroupNames(output, "list");
        _listCache.Set("list", groups);
        return groups;
    }

    /// <summary>Group name tokens of <paramref name="node"/>, or null when there is no <c>reverse</c> command.</summary>
    public async Task<IReadOnlyList<string>?> ReverseAsync(string node, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (ReverseCommand is null)
        {
            return null;
        }

        if (_reverseCache.TryGet(node, out IReadOnlyList<string>? cached))
        {
            return cached;
        }

        string output = await RunAsync("reverse", ReverseCommand, ("NODE", node), cancellationToken).ConfigureAwait(false);
        IReadOnlyList<string> groups = SplitGroupNames(output, "reverse");
        _reverseCache.Set(node, groups);
        return groups;
    }

    public override string ToString() => $"{Name} (upcall: {MapCommand})";

    /// <summary>The command line after substitution, exactly as it is handed to the shell.</summary>
    internal string ExpandCommand(string template, (string Name, string Value)? argument)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal) { ["SOURCE"] = Name };
        if (ConfigurationDirectory is not null)
        {
            variables["CFGDIR"] = ConfigurationDirectory;
        }

        if (argument is { } pair)
        {
            // Inserted unquoted, as upstream does: bundled commands such as sed 's/^$GROUP:.../' depend on it.
            variables[pair.Name] = pair.Value;
        }

        return TemplateText.Substitute(template, variables);
    }

    private async Task<string> RunAsync(
        string upcall, string template, (string Name, string Value)? argument, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        string commandLine = ExpandCommand(template, argument);

        ProcessStartInfo startInfo = Execution.Shell.StartInfo(commandLine, ConfigurationDirectory);

        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Exception exception) when (exception is Win32Exception or InvalidOperationException or IOException)
        {
            throw new GroupResolverException(
                GroupErrorKind.QueryFailed,
                $"Group source '{Name}': the {upcall} command could not be started ({exception.Message}). " +
                $"Command: {commandLine}" +
                (ConfigurationDirectory is null ? "" : $" (working directory {ConfigurationDirectory})"),
                exception);
        }

        // Closing stdin at once gives the command an immediate end of file instead of a wait on our input.
        process.StandardInput.Close();

        // Both pipes are drained concurrently; reading one to the end first can deadlock once the other fills up.
        Task<string> standardOutput = process.StandardOutput.ReadToEndAsync(cancellationToken);
        Task<string> standardError = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            await Task.WhenAll(standardOutput, standardError).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            KillTree(process);
            throw;
        }

        string output = await standardOutput.ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            string error = (await standardError.ConfigureAwait(false)).Trim();
            if (error.Length > MaxStandardErrorInMessage)
            {
                error = string.Concat(error.AsSpan(0, MaxStandardErrorInMessage), "...");
            }

            throw new GroupResolverException(
                GroupErrorKind.QueryFailed,
                string.Create(CultureInfo.InvariantCulture,
                    $"Group source '{Name}': the {upcall} command exited with code {process.ExitCode}. Command: {commandLine}") +
                (error.Length == 0 ? "" : $"{Environment.NewLine}stderr: {error}"));
        }

        return output;
    }

    private static void KillTree(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited between the cancellation and the kill: nothing left to stop.
        }
        catch (Win32Exception)
        {
            // Best effort: the child may belong to another session or be exiting; the caller is cancelled anyway.
        }
    }

    private static string[] Tokens(string output) =>
        output.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Upstream joins output lines and splits them on whitespace, so "a b\nc" and "a,b,c" mean the same.</summary>
    internal static string JoinNodeTokens(string output) => string.Join(',', Tokens(output));

    private IReadOnlyList<string> SplitGroupNames(string output, string upcall)
    {
        string[] tokens = Tokens(output);
        foreach (string token in tokens)
        {
            int illegal = token.IndexOfAny(IllegalGroupNameChars);
            if (illegal >= 0)
            {
                throw new GroupResolverException(
                    GroupErrorKind.IllegalName,
                    $"Group source '{Name}': the {upcall} command returned the group name '{token}', which contains " +
                    $"the illegal character '{token[illegal]}' (group names may not contain @ , ! & ^ *).");
            }
        }

        return Array.AsReadOnly(tokens);
    }
}
