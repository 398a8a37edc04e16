BeforeAll {
    $module = (Join-Path $PSScriptRoot '../../out/MilkCheck/MilkCheck.psd1')
    Import-Module $module -Force
    $script:n = 0
    function New-Config([string] $yaml) {
        $script:n++
        $dir = (New-Item -ItemType Directory -Path (Join-Path $TestDrive "conf$script:n")).FullName
        Set-Content -Path (Join-Path $dir 'services.yaml') -Value $yaml.Replace('%MARK', $TestDrive)
        $dir
    }
    # Each test gets a journal folder of its own through milkcheck.conf.
    function Use-Journal {
        $script:n++
        $script:journal = Join-Path $TestDrive "runs$script:n"
        $conf = Join-Path $TestDrive "milkcheck$script:n.conf"
        Set-Content -Path $conf -Value "journal_dir: $script:journal"
        $env:MILKCHECK_CONF = $conf
    }
    $script:savedConf = $env:MILKCHECK_CONF
}

AfterAll {
    $env:MILKCHECK_CONF = $script:savedConf
}

Describe 'The run journal' {
    BeforeEach { Use-Journal }

    It 'records each run and Import-MilkCheckRun gives its results back, typed, ready to rerun without -Path' {
        $conf = New-Config @'
services:
  app: { require: [ db ], actions: { start: { cmd: "test -e %MARK/fixed" } } }
  db: { actions: { start: { cmd: "true" } } }
'@
        $live = Invoke-MilkCheckAction start -Path $conf -ErrorAction SilentlyContinue
        $run = Get-MilkCheckRun -Last 1
        $run.Id | Should -Be $live[0].RunId
        $run.State | Should -Be 'Completed'
        $run.ExitCode | Should -Be 6
        $run.Action | Should -Be 'start'
        $run.Path | Should -Be $conf
        $imported = $run | Import-MilkCheckRun
        $imported[0] | Should -BeOfType ([MilkCheck.ActionResult])
        $imported.Service | Should -Be $live.Service
        $imported.Status | Should -Be $live.Status
        $imported[0].Nodes[0].Status | Should -Be 'Ok'
        New-Item -ItemType File (Join-Path $TestDrive 'fixed') | Out-Null
        $rerun = Get-MilkCheckRun -Last 1 | Import-MilkCheckRun | Where-Object Status -ne Done | Invoke-MilkCheckAction start
        $rerun.Service | Should -Be @('db', 'app')   # app pulls its dependency in, as upstream
        ($rerun | Where-Object Service -eq app).Status | Should -Be 'Done'
        (Get-MilkCheckRun).Count | Should -Be 2
        (Get-MilkCheckRun -Action stop) | Should -BeNullOrEmpty
    }

    It 'keeps every result that was final when the process is killed with SIGKILL' {
        $marker = "milkcheck-killed-$([guid]::NewGuid().ToString('N'))"
        $conf = New-Config @"
services:
  quick: { actions: { start: { cmd: "echo quick done" } } }
  slow: { require: [ quick ], actions: { start: { cmd: "sleep 120; echo $marker" } } }
"@
        # The pwsh itself (`dotnet pwsh` would start it as a child, which SIGKILL of the parent leaves running).
        $info = [System.Diagnostics.ProcessStartInfo]::new([Environment]::ProcessPath)
        foreach ($a in (Join-Path $PSHOME 'pwsh.dll'), '-NoProfile', '-NonInteractive', '-Command', "Import-Module '$module'; Invoke-MilkCheckAction start -Path '$conf' | Out-Null") {
            $info.ArgumentList.Add($a)
        }
        $info.RedirectStandardOutput = $true
        $info.RedirectStandardError = $true
        $child = [System.Diagnostics.Process]::Start($info)
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            do {
                $lines = @(Get-ChildItem $script:journal -Filter *.jsonl -ErrorAction SilentlyContinue | Get-Content)
                $quickWritten = $lines | Where-Object { $_ -like '*"Service":"quick"*' }
                if (-not $quickWritten) { Wait-Event -Timeout 0.1 }   # polls the file, not a fixed sleep
            } until ($quickWritten -or [DateTime]::UtcNow -gt $deadline)
            $quickWritten | Should -Not -BeNullOrEmpty
        } finally {
            & kill -9 $child.Id
            $child.WaitForExit()
            # The orphaned command and its child: nothing can end them once their run was SIGKILLed.
            foreach ($orphan in @(& pgrep -f $marker)) { & pkill -9 -P $orphan; & kill -9 $orphan }
        }
        (& pgrep -f "Invoke-MilkCheckAction start -Path '$conf'") | Should -BeNullOrEmpty
        $run = Get-MilkCheckRun -Last 1
        $run.State | Should -Be 'Interrupted'
        $run.EndTime | Should -BeNullOrEmpty
        $results = $run | Import-MilkCheckRun
        $results.Service | Should -Be @('quick')
        $results.Nodes.Output | Should -Be 'quick done'
    }

    It 'records the running action with its cancelled nodes and an interrupted run when Stop-Job stops it' {
        $marker = "milkcheck-stopjob-$([guid]::NewGuid().ToString('N'))"
        $conf = New-Config @"
services:
  quick: { actions: { start: { cmd: "echo quick done" } } }
  slow: { require: [ quick ], target: "n[1-2]", actions: { start: { cmd: "test %%h = n1 || sleep 120; echo $marker", mode: exec } } }
"@
        $job = Start-Job -ScriptBlock {
            param($module, $conf, $milkcheckConf)
            $env:MILKCHECK_CONF = $milkcheckConf
            Import-Module $module
            Invoke-MilkCheckAction start -Path $conf
        } -ArgumentList $module, $conf, $env:MILKCHECK_CONF
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(90)
            do {
                $running = @(& pgrep -f $marker).Count -gt 0 -and @(Get-ChildItem $script:journal -Filter *.jsonl -ErrorAction SilentlyContinue | Get-Content | Where-Object { $_ -like '*"Service":"quick"*' }).Count -gt 0
                if (-not $running) { Wait-Event -Timeout 0.1 }
            } until ($running -or [DateTime]::UtcNow -gt $deadline)
            $running | Should -BeTrue
            Stop-Job $job
        } finally {
            Remove-Job $job -Force
        }
        (& pgrep -f $marker) | Should -BeNullOrEmpty
        $run = Get-MilkCheckRun -Last 1
        $run.State | Should -Be 'Interrupted'
        $run.EndTime | Should -Not -BeNullOrEmpty
        $results = $run | Import-MilkCheckRun
        $results.Service | Should -Be @('quick', 'slow')
        $slow = $results | Where-Object Service -eq slow
        ($slow.Nodes | Where-Object Node -eq n1).Status | Should -Be 'Ok'
        ($slow.Nodes | Where-Object Node -eq n2).Status | Should -Be 'Cancelled'
        ($slow.Nodes | Where-Object Node -eq n2).ExitCode | Should -BeNullOrEmpty
    }

    It 'writes journal files only the user can read' {
        $conf = New-Config "services:`n  a: { actions: { start: { cmd: 'true' } } }"
        Invoke-MilkCheckAction start -Path $conf | Out-Null
        $file = (Get-MilkCheckRun -Last 1).JournalPath
        (& stat -c '%a' $file) | Should -Be '600'
        (& stat -c '%a' $script:journal) | Should -Be '700'
    }

    It 'reports a damaged line with its file and line and imports the rest' {
        $conf = New-Config "services:`n  a: { actions: { start: { cmd: 'true' } } }`n  b: { require: [ a ], actions: { start: { cmd: 'true' } } }"
        Invoke-MilkCheckAction start -Path $conf | Out-Null
        $file = (Get-MilkCheckRun -Last 1).JournalPath
        $lines = Get-Content $file
        $lines[1] = $lines[1].Substring(0, 20)
        Set-Content -Path $file -Value $lines
        $results = Import-MilkCheckRun -Path $file -ErrorVariable damaged -ErrorAction SilentlyContinue
        $results.Service | Should -Be @('b')
        $damaged.Count | Should -Be 1
        $damaged[0].FullyQualifiedErrorId | Should -BeLike 'MilkCheck.JournalDamaged*'
        $damaged[0].Exception.Message | Should -BeLike "*${file}:2:*"
    }

    It 'warns once and still runs when the journal cannot be written' {
        Set-Content -Path $script:journal -Value 'a file, not a folder'
        $conf = New-Config "services:`n  a: { actions: { start: { cmd: 'true' } } }"
        $r = Invoke-MilkCheckAction start -Path $conf -WarningVariable warned -WarningAction SilentlyContinue
        $r.Status | Should -Be 'Done'
        @($warned | Where-Object { $_ -like '*journal*' }).Count | Should -Be 1
    }
}
