"""Names shared by the MultiModel builder: population types, parameter keys of matrices, relaxation speed."""

EXC = "EXC"  # excitatory population (mass_type)
INH = "INH"  # inhibitory population (mass_type)

NODE_CONNECTIVITY = "local_connectivity"  # key of a node's mass-to-mass weight matrix [to, from]
NODE_DELAYS = "local_delays"  # key of a node's mass-to-mass delay matrix [to, from], ms
NETWORK_CONNECTIVITY = "connectivity"  # key of a network's node-to-node weight matrix [to, from]
NETWORK_DELAYS = "delays"  # key of a network's node-to-node delay matrix [to, from], ms

# rate (1/ms) at which a "dummy" state variable r follows an instantaneous quantity f: dr/dt = -lambda (r - f)
LAMBDA_SPEED = 10.0
