"""placeholder"""
def supports(call):
    return False
def triton_chain(name, calls, program):
    return None
