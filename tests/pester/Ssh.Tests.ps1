# End to end over real SSH: the built module, a real sshd on 127.78.0.[1-8] started here, a HOME of its own.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../out/MilkCheck/MilkCheck.psd1') -Force
    $script:dir = (New-Item -ItemType Directory -Path (Join-Path $TestDrive 'sshd')).FullName
    $home_ = Join-Path $dir 'home'
    New-Item -ItemType Directory -Force (Join-Path $home_ '.ssh'), (Join-Path $dir 'session') | Out-Null
    New-Item -ItemType Directory -Force '/run/sshd' | Out-Null
    & ssh-keygen -q -t ed25519 -N '' -f (Join-Path $dir 'host') | Out-Null
    & ssh-keygen -q -t ed25519 -N '' -f (Join-Path $dir 'id') | Out-Null
    Copy-Item (Join-Path $dir 'id.pub') (Join-Path $dir 'authorized_keys')
    $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Parse('127.78.0.1'), 0); $listener.Start()
    $script:port = $listener.LocalEndpoint.Port; $listener.Stop()
    $user = [Environment]::UserName
    $listen = (1..8 | ForEach-Object { "ListenAddress 127.78.0.$_" }) -join "`n"
    Set-Content (Join-Path $dir 'sshd_config') @"
Port $port
$listen
HostKey $dir/host
AuthorizedKeysFile $dir/authorized_keys
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
PrintMotd no
MaxStartups 1000
MaxSessions 100
KexAlgorithms curve25519-sha256
SetEnv HOME=$dir/session
"@
    $hostKey = (Get-Content (Join-Path $dir 'host.pub')) -split ' '
    $config = (1..8 | ForEach-Object { "Host node$_`n    HostName 127.78.0.$_" }) -join "`n"
    Set-Content (Join-Path $home_ '.ssh/config') "$config`nHost node*`n    Port $port`n    User $user`n    IdentityFile $dir/id`n    UserKnownHostsFile $home_/.ssh/known_hosts`n"
    Set-Content (Join-Path $home_ '.ssh/known_hosts') ((1..8 | ForEach-Object { "[node$_]:$port $($hostKey[0]) $($hostKey[1])" }) -join "`n")
    # Starts sshd in the foreground and returns once it listens on the eight addresses (also used to restart it).
    function script:Start-TestSshd {
        $start = [Diagnostics.ProcessStartInfo]::new('/usr/sbin/sshd')
        'D', 'e' | ForEach-Object { $start.ArgumentList.Add("-$_") }
        $start.ArgumentList.Add('-f'); $start.ArgumentList.Add((Join-Path $dir 'sshd_config'))
        $start.RedirectStandardError = $true
        $script:sshd = [Diagnostics.Process]::Start($start)
        $listening = 0
        while ($listening -lt 8) {
            $line = $sshd.StandardError.ReadLine()
            if ($null -eq $line) { throw "sshd did not start: exited $($sshd.ExitCode)" }
            if ($line -like '*Server listening on*') { $listening++ }
        }
        $script:reader = $sshd.StandardError.ReadToEndAsync()
    }
    Start-TestSshd
    # Client sockets established to the test sshd, from /proc/net/tcp (the remote port, state 01).
    function script:Get-EstablishedCount {
        $hexPort = ':{0:X4}' -f $port
        @(Get-Content /proc/net/tcp, /proc/net/tcp6 -ErrorAction SilentlyContinue | Select-Object -Skip 1 | Where-Object {
            $f = -split $_; $f.Count -gt 3 -and $f[2].EndsWith($hexPort) -and $f[3] -eq '01' }).Count
    }
    $script:savedHome = $env:HOME
    $env:HOME = $home_
    $script:conf = (New-Item -ItemType Directory -Path (Join-Path $TestDrive 'conf')).FullName
    Set-Content (Join-Path $conf 'services.yaml') @'
services:
  base:
    target: "node[1-8]"
    actions:
      start: { cmd: "echo $SSH_CONNECTION | cut -d' ' -f3" }
      status: { cmd: "true" }
  app:
    require: [ base ]
    target: "node[1-8]"
    actions:
      start:
        cmd: |
          #!/usr/bin/env python3
          import os
          print("python on", os.environ["SSH_CONNECTION"].split()[2])
  ports:
    target: "node[1-8]"
    actions:
      status: { cmd: "echo $SSH_CONNECTION | cut -d' ' -f2" }
  broken:
    target: "node[1-8],deadnode"
    errors: 1
    actions:
      start: { cmd: "true" }
'@
}

AfterAll {
    $env:HOME = $savedHome
    if ($sshd -and -not $sshd.HasExited) { $sshd.Kill($true) }
}

Describe 'Invoke-MilkCheckAction over SSH' {
    It 'runs a dependency chain on eight real SSH nodes, a shebang script included' {
        $r = Invoke-MilkCheckAction start base, app -Path $conf
        ($r | Where-Object Service -eq base).Nodes.Output | Should -Be (1..8 | ForEach-Object { "127.78.0.$_" })
        ($r | Where-Object Service -eq app).Nodes[2].Output | Should -Be 'python on 127.78.0.3'
        $r.Status | Should -Be @('Done', 'Done')
    }

    It 'reports an unknown host as a failed node with its transport status, within the errors tolerance' {
        $r = Invoke-MilkCheckAction start broken -Path $conf -WarningAction SilentlyContinue
        $r.Status | Should -Be 'Warning'
        $r.FailedNodes | Should -Be 'deadnode'
        $dead = $r.Nodes | Where-Object Node -eq deadnode
        $dead.Status | Should -BeIn 'Unreachable', 'AuthenticationFailed', 'HostKeyRejected'
        $dead.ExitCode | Should -BeNullOrEmpty
        $dead.Reason | Should -Not -BeNullOrEmpty
    }
}

Describe 'Another SSH.NET in the session' {
    BeforeAll {
        $script:tools = Join-Path $PSScriptRoot '../../out/tools'
        if (-not (Test-Path (Join-Path $tools 'ssh.net/2024.2.0')) -or -not (Test-Path (Join-Path $tools 'ssh.net/2026.0.1'))) {
            & dotnet restore (Join-Path $PSScriptRoot 'PesterRestore/PesterRestore.csproj') --packages $tools --nologo -v quiet | Out-Null
        }
        # Runs MilkCheck over the farm in a fresh pwsh that loaded $Load first; returns its output lines.
        function script:Invoke-AfterLoading([string[]] $Load, [string] $Before) {
            # HOME (with its ~/.ssh/config naming node1..8) is this process's, inherited.
            $out = & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -Command @"
`$ErrorActionPreference = 'Stop'
Add-Type -Path $(($Load | ForEach-Object { "'$_'" }) -join ', ')
$Before
Import-Module '$(Join-Path $PSScriptRoot '../../out/MilkCheck/MilkCheck.psd1')'
`$r = Invoke-MilkCheckAction start base -Path '$conf'
'status=' + `$r.Status + ' nodes=' + (`$r.Nodes.Output -join ',')
foreach (`$a in [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -like '*Renci.SshNet' -or `$_.GetName().Name -like '*BouncyCastle.Cryptography' }) {
    `$a.GetName().Name + '=' + `$a.GetName().Version.ToString(3) + '@' + [Runtime.Loader.AssemblyLoadContext]::GetLoadContext(`$a).Name
}
"@ 2>&1
            $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
            return $out
        }
    }

    It 'runs over SSH in a session that loaded SSH.NET 2024.2 and BouncyCastle 2.4 first (as Posh-SSH does)' {
        $bc = Join-Path $tools 'bouncycastle.cryptography/2.4.0/lib/net6.0/BouncyCastle.Cryptography.dll'
        $ssh = Join-Path $tools 'ssh.net/2024.2.0/lib/net8.0/Renci.SshNet.dll'
        $out = Invoke-AfterLoading $bc, $ssh "'theirs=' + [Renci.SshNet.PrivateKeyFile]::new('$dir/id').Key.ToString()"
        $out | Should -Contain 'theirs=ssh-ed25519'
        $out | Should -Contain ('status=Done nodes=' + ((1..8 | ForEach-Object { "127.78.0.$_" }) -join ','))
        $out | Should -Contain 'Renci.SshNet=2024.2.0@Default'
        $out | Should -Contain 'MilkCheck.Private.Renci.SshNet=2026.0.0@MilkCheck.Dependencies'
        $out | Should -Contain 'MilkCheck.Private.BouncyCastle.Cryptography=2.0.0@MilkCheck.Dependencies'
    }

    It 'runs over its own SSH.NET in a session that loaded a newer SSH.NET first' {
        # The session's Default context would bind MilkCheck's reference to this newer copy if the name were the same.
        $ssh = Join-Path $tools 'ssh.net/2026.0.1/lib/net8.0/Renci.SshNet.dll'
        $out = Invoke-AfterLoading $ssh "'theirs=' + [Renci.SshNet.SshClient].Assembly.GetName().Version"
        $out | Should -Contain 'theirs=2026.0.1.1'
        $out | Should -Contain ('status=Done nodes=' + ((1..8 | ForEach-Object { "127.78.0.$_" }) -join ','))
        $out | Should -Contain 'Renci.SshNet=2026.0.1@Default'
        $out | Should -Contain 'MilkCheck.Private.Renci.SshNet=2026.0.0@MilkCheck.Dependencies'
    }
}

Describe 'SSH connections kept between runs of a session' {
    BeforeEach { Disconnect-MilkCheckConnection }

    It 'serves a second run over the same connections (same client ports) and logs in again after Disconnect-MilkCheckConnection' {
        $first = (Invoke-MilkCheckAction status ports -Path $conf).Nodes.Output
        $second = (Invoke-MilkCheckAction status ports -Path $conf).Nodes.Output
        $second | Should -Be $first
        Disconnect-MilkCheckConnection 'node[1-8]'
        Get-MilkCheckConnection | Should -BeNullOrEmpty
        $third = (Invoke-MilkCheckAction status ports -Path $conf).Nodes.Output
        $third | Where-Object { $first -contains $_ } | Should -BeNullOrEmpty
    }

    It 'lists one connection per node with its user, port and channels, in a table' {
        Invoke-MilkCheckAction status ports -Path $conf | Out-Null
        $c = Get-MilkCheckConnection
        $c | Should -HaveCount 8
        $c[0] | Should -BeOfType ([MilkCheck.ConnectionInfo])
        $c.Node | Should -Be (1..8 | ForEach-Object { "node$_" })
        $c.Port | Select-Object -Unique | Should -Be $port
        $c.User | Select-Object -Unique | Should -Be ([Environment]::UserName)
        $c.Channels | Select-Object -Unique | Should -Be 0
        (Get-MilkCheckConnection 'node[2-3]').Node | Should -Be 'node2', 'node3'
        ($c | Out-String -Width 120) | Should -Match 'Node\s+User\s+Port\s+OpenedAt\s+LastUsed\s+Channels'
        $c | Where-Object Node -eq node4 | Disconnect-MilkCheckConnection
        (Get-MilkCheckConnection).Node | Should -Not -Contain 'node4'
    }

    It 'logs in on its own from another runspace, which sees none of these connections' {
        $mine = (Invoke-MilkCheckAction status ports -Path $conf).Nodes.Output
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript({
                param($module, $conf)
                Import-Module $module
                [pscustomobject]@{ Before = @(Get-MilkCheckConnection).Count; Ports = (Invoke-MilkCheckAction status ports -Path $conf).Nodes.Output; After = @(Get-MilkCheckConnection).Count }
            }).AddArgument((Join-Path $PSScriptRoot '../../out/MilkCheck/MilkCheck.psd1')).AddArgument($conf)
            $theirs = $ps.Invoke()[0]
        }
        finally {
            $ps.Runspace.Dispose(); $ps.Dispose()
        }
        $theirs.Before | Should -Be 0
        $theirs.After | Should -Be 8
        $theirs.Ports | Where-Object { $mine -contains $_ } | Should -BeNullOrEmpty
        @(Get-MilkCheckConnection) | Should -HaveCount 8
    }

    It 'reopens a kept connection whose sshd restarted: the second run is Ok and -Verbose says so' {
        Invoke-MilkCheckAction status ports -Path $conf | Out-Null
        $sshd.Kill($true); $sshd.WaitForExit()
        Start-TestSshd
        $r = Invoke-MilkCheckAction status ports -Path $conf -Verbose 4>&1
        $results = $r | Where-Object { $_ -is [MilkCheck.ActionResult] }
        $results.Status | Should -Be 'Done'
        $results.Nodes.Status | Select-Object -Unique | Should -Be 'Ok'
        @($r | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -match 'reopening' }) | Should -HaveCount 8
    }

    It 'closes the kept connections on Remove-Module' {
        Invoke-MilkCheckAction status ports -Path $conf | Out-Null
        Get-EstablishedCount | Should -Be 8
        Remove-Module MilkCheck
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            while ((Get-EstablishedCount) -gt 0 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
            Get-EstablishedCount | Should -Be 0
        }
        finally {
            Import-Module (Join-Path $PSScriptRoot '../../out/MilkCheck/MilkCheck.psd1') -Force
        }
    }
}
