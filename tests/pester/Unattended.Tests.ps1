BeforeAll {
    $module = (Resolve-Path (Join-Path $PSScriptRoot '../../out/MilkCheck/MilkCheck.psd1')).Path
    Import-Module $module -Force
    $script:n = 0
    function New-Config([string] $yaml) {
        $script:n++
        $dir = (New-Item -ItemType Directory -Path (Join-Path $TestDrive "conf$script:n")).FullName
        Set-Content -Path (Join-Path $dir 'services.yaml') -Value $yaml.Replace('%MARK', $TestDrive)
        $dir
    }
    # Durations differ from one run to the next; everything else a person reads must not.
    function Get-Rendering($objects) {
        ($objects | Out-String -Width 120) -replace '\d+\.\d\d s', 'N s'
    }
}

Describe 'A scheduled job ends with the exit code of its run (the README recipe under pwsh -NonInteractive -File, ErrorActionPreference Stop)' {
    BeforeAll {
        # Runs the README's recipe in a fresh non-interactive pwsh; returns its exit code and everything it printed.
        function Invoke-ScheduledScript([string] $arguments, [string] $globalConf) {
            $script:n++
            $file = Join-Path $TestDrive "job$script:n.ps1"
            # The stricter setting scripts often use: the recipe must hold under it too.
            $lines = @("`$ErrorActionPreference = 'Stop'", "Import-Module '$module'")
            if ($globalConf) { $lines += "`$env:MILKCHECK_CONF = '$globalConf'" }
            $lines += @(
                "`$r = try { Invoke-MilkCheckAction $arguments -ErrorAction Continue } catch { Write-Error -ErrorRecord `$_ -ErrorAction Continue }"
                'exit ($r | Measure-MilkCheckResult).ExitCode'
            )
            Set-Content -Path $file -Value $lines
            $env:NO_COLOR = '1'
            $text = & dotnet pwsh -NoProfile -NonInteractive -File $file 2>&1 | Out-String
            [pscustomobject]@{ ExitCode = $LASTEXITCODE; Text = $text }
        }
    }

    It 'exits <Expected> when <Case>' -ForEach @(
        @{ Case = 'every service is Done'; Expected = 0; Arguments = "start -Path '%CONF'"; Says = ''
           Yaml = "services:`n  a: { require: [ b ], actions: { start: { cmd: 'true' } } }`n  b: { actions: { start: { cmd: 'true' } } }`n" }
        @{ Case = 'a top-level service ends Warning'; Expected = 3; Arguments = "start -Path '%CONF'"; Says = 'WARNING'
           Yaml = "services:`n  a: { require: [ b ], actions: { start: { cmd: 'true' } } }`n  b: { errors: 1, actions: { start: { cmd: 'false' } } }`n" }
        @{ Case = 'an entry fails behind a failed dependency'; Expected = 6; Arguments = "start -Path '%CONF'"; Says = 'a.start: DependencyError'
           Yaml = "services:`n  a: { require: [ b ], actions: { start: { cmd: 'true' } } }`n  b: { actions: { start: { cmd: 'false' } } }`n" }
        @{ Case = '-Path does not exist'; Expected = 9; Arguments = "start -Path '%CONF/nowhere'"; Says = 'does not exist'
           Yaml = "services:`n  a: { actions: { start: { cmd: 'touch %MARK/ran' } } }`n" }
        @{ Case = 'the service is unknown'; Expected = 9; Arguments = "start nope -Path '%CONF'"; Says = "'nope'"
           Yaml = "services:`n  a: { actions: { start: { cmd: 'touch %MARK/ran' } } }`n" }
        @{ Case = 'no service defines the action'; Expected = 9; Arguments = "strat -Path '%CONF'"; Says = "'strat'"
           Yaml = "services:`n  a: { actions: { start: { cmd: 'touch %MARK/ran' } } }`n" }
        @{ Case = 'the YAML does not parse'; Expected = 9; Arguments = "start -Path '%CONF'"; Says = 'services.yaml:2'
           Yaml = "services:`n  a: { actions: [ start: { cmd: 'touch %MARK/ran' } }`n" }
        @{ Case = 'confirm_actions asks a question nobody can answer'; Expected = 9; Arguments = "start -Path '%CONF'"; Confirm = $true; Says = '-Force'
           Yaml = "services:`n  a: { actions: { start: { cmd: 'touch %MARK/ran' } } }`n" }
    ) {
        Remove-Item (Join-Path $TestDrive 'ran') -ErrorAction SilentlyContinue
        $conf = New-Config $Yaml
        $global = $null
        if ($Confirm) {
            $global = Join-Path $TestDrive "milkcheck$script:n.conf"
            Set-Content $global "confirm_actions: [ start ]`n"
        }
        $job = Invoke-ScheduledScript $Arguments.Replace('%CONF', $conf) $global
        $job.ExitCode | Should -Be $Expected -Because $job.Text
        $job.Text | Should -BeLike "*$Says*"
        if ($Expected -eq 9) { Test-Path (Join-Path $TestDrive 'ran') | Should -BeFalse }
    }
}

Describe 'Results that cross a process boundary' {
    BeforeAll {
        $conf = New-Config @'
services:
  db:
    desc: the database
    target: "d[1-2]"
    mode: exec
    actions:
      start: { check: [ status ], cmd: "echo %%h started" }
      status: { cmd: "test %%h != d2 && echo %%h up" }
  web:
    desc: the front end
    require_weak: [ db ]
    target: "n[1-4]"
    mode: exec
    actions:
      start: { cmd: "test %%h != n3 || { echo %%h: port in use; exit 1; }" }
      status: { cmd: "true" }
'@
        $bad = New-Config "services:`n  a: { require: [ ghost ], actions: { start: { cmd: 'true' } } }`n"
        $live = Invoke-MilkCheckAction start -Path $conf -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        $liveServices = Get-MilkCheckService -Path $conf
        $liveDiagnostics = Test-MilkCheckConfig -Path $bad
        $liveSummary = $live | Measure-MilkCheckResult

        # A real child process, as a scheduled job is: everything comes back through the remoting serializer.
        $received = Start-Job {
            Import-Module $using:module
            $r = Invoke-MilkCheckAction start -Path $using:conf -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
            $r
            $r | Measure-MilkCheckResult
            Get-MilkCheckService -Path $using:conf
            Test-MilkCheckConfig -Path $using:bad
        } | Receive-Job -Wait -AutoRemoveJob
        $ofType = { param($objects, $name) @($objects | Where-Object { $_.pstypenames[0] -eq "Deserialized.MilkCheck.$name" }) }
        $fromJob = @{
            Results = & $ofType $received ActionResult
            Summary = & $ofType $received RunSummary
            Services = & $ofType $received ServiceInfo
            Diagnostics = & $ofType $received ConfigDiagnostic
        }

        $clixml = Join-Path $TestDrive 'run.xml'
        $live | Export-Clixml $clixml
        $liveSummary, $liveServices, $liveDiagnostics | ForEach-Object { $_ } | Export-Clixml (Join-Path $TestDrive 'others.xml')
        $others = Import-Clixml (Join-Path $TestDrive 'others.xml')
        $fromFile = @{
            Results = @(Import-Clixml $clixml)
            Summary = & $ofType $others RunSummary
            Services = & $ofType $others ServiceInfo
            Diagnostics = & $ofType $others ConfigDiagnostic
        }
        $copies = @(@{ Way = 'Start-Job'; Copy = $fromJob }, @{ Way = 'Export-Clixml'; Copy = $fromFile })
    }

    It 'the live run to compare with has a failed node, a failed service and a check with a failed node' {
        @($live.Nodes | Where-Object Status -ne Ok).Node | Should -Be @('n3')
        @($live | Where-Object Status -ne Done).Service | Should -Be @('web')
        @($live.Checks.Nodes | Where-Object Status -ne Ok).Node | Should -Be @('d2')
    }

    It 'after <Way>, results are deserialized objects and the same filters give the same services and nodes' -ForEach @(
        @{ Way = 'Start-Job' }, @{ Way = 'Export-Clixml' }
    ) {
        $copy = ($copies | Where-Object Way -eq $Way).Copy
        $results = $copy.Results
        $results.Count | Should -Be $live.Count
        $results[0].pstypenames[0] | Should -Be 'Deserialized.MilkCheck.ActionResult'
        $results[0].Nodes[0].pstypenames[0] | Should -Be 'Deserialized.MilkCheck.NodeResult'
        @($results | Where-Object Status -ne Done).Service | Should -Be @($live | Where-Object Status -ne Done).Service
        @($results.Nodes | Where-Object Status -ne Ok).Node | Should -Be @($live.Nodes | Where-Object Status -ne Ok).Node
        @($results.Nodes | Where-Object Status -eq Failed).Output | Should -Be @('n3: port in use')
        @($results.Checks.Nodes | Where-Object Status -ne Ok).Node | Should -Be @($live.Checks.Nodes | Where-Object Status -ne Ok).Node
        @($results | Where-Object Kind -eq Service).Count | Should -Be @($live | Where-Object Kind -eq Service).Count
        @($copy.Services.Dependencies | Where-Object Kind -eq RequireWeak).Name | Should -Be @('db')
        @($copy.Diagnostics | Where-Object Severity -eq Error).Count | Should -Be @($liveDiagnostics | Where-Object Severity -eq Error).Count
    }

    It 'after <Way>, Measure-MilkCheckResult gives the same summary and exit code' -ForEach @(
        @{ Way = 'Start-Job' }, @{ Way = 'Export-Clixml' }
    ) {
        $copy = ($copies | Where-Object Way -eq $Way).Copy
        $summary = $copy.Results | Measure-MilkCheckResult
        $summary.ExitCode | Should -Be $liveSummary.ExitCode
        $summary.ExitCode | Should -Be 6
        $summary.NagiosStatus | Should -Be 'CRITICAL'
        $summary.Total | Should -Be $liveSummary.Total
        $summary.Failed | Should -Be $liveSummary.Failed
        $summary.FailedActions | Should -Be $liveSummary.FailedActions
        $summary.Counts['Error'] | Should -Be $liveSummary.Counts['Error']
        # The summary written where the results were made: start times and durations travel too.
        $summary.Duration | Should -Be $copy.Summary[0].Duration
        $summary.ToString() | Should -Be $liveSummary.ToString()
    }

    It 'after <Way>, every type renders as it does live' -ForEach @(
        @{ Way = 'Start-Job' }, @{ Way = 'Export-Clixml' }
    ) {
        $copy = ($copies | Where-Object Way -eq $Way).Copy
        Get-Rendering $copy.Results | Should -Be (Get-Rendering $live)
        Get-Rendering ($copy.Results | Format-Table) | Should -Be (Get-Rendering ($live | Format-Table))
        Get-Rendering $copy.Results.Nodes | Should -Be (Get-Rendering $live.Nodes)
        Get-Rendering $copy.Summary | Should -Be (Get-Rendering $liveSummary)
        Get-Rendering $copy.Services | Should -Be (Get-Rendering $liveServices)
        Get-Rendering $copy.Diagnostics | Should -Be (Get-Rendering $liveDiagnostics)
        Get-Rendering $live | Should -BeLike '*port in use*web - the front end*ERROR*'
    }
}
