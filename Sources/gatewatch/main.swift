import GateCore
print("gatewatch")
