namespace MilkCheck.TestSupport;

/// <summary>
/// Processes of this machine found by a marker unique to a test (a sleep length such as 8712345.5 in their command
/// line): what a test started and expects to be gone. Compiled into each test project that needs it.
/// </summary>
internal static class MarkedProcesses
{
    /// <summary>The pids whose command line holds <paramref name="marker"/>.</summary>
    public static int[] With(string marker) =>
        Directory.GetDirectories("/proc").Select(d => int.TryParse(Path.GetFileName(d), out int pid) ? pid : 0).Where(pid => pid > 0).Where(pid =>
        {
            try
            {
                return File.ReadAllText($"/proc/{pid}/cmdline").Contains(marker, StringComparison.Ordinal);
            }
            catch (IOException)
            {
                return false; // ended meanwhile
            }
        }).ToArray();
}
